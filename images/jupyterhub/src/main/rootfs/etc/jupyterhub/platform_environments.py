"""The notebook environments users pick from, and who may start which: the hub's side of environments.yaml.

The file (Argo CD tree: apps/jupyterhub/base/environments.yaml, a ConfigMap here) lists the images the reactor builds
(images/notebook*), pinned like every other image of the tree (ci/pins), each with a name users see, optionally the
groups that may start it, and earlier tags still offered. A user is offered only the environments of their groups,
and a start is checked again on the server (a restricted image posted by hand is refused, not just hidden).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,40}")
# A tag, and its digest once published (ci/bump-pins pins platform/<image>:<tag>@sha256:<digest>).
TAG = re.compile(r"[0-9A-Za-z_][0-9A-Za-z_.-]*(@sha256:[0-9a-f]{64})?")
IMAGE = re.compile(r"platform/[a-z0-9-]+:" + TAG.pattern)


class EnvironmentsError(ValueError):
    """A malformed environments file: what is wrong and where."""


@dataclass(frozen=True)
class Environment:
    slug: str
    display_name: str
    description: str
    #: The image reference as pinned (platform/<name>:<tag>), without the registry.
    image: str
    groups: frozenset
    previous: bool = False

    def allows(self, user_groups) -> bool:
        return not self.groups or bool(self.groups & set(user_groups))

    def reference(self, registry: str) -> str:
        return (registry.rstrip("/") + "/" if registry else "") + self.image


def load(document, source: str = "environments.yaml") -> list[Environment]:
    """The environments of the parsed file, current ones first, each earlier tag after its current one."""
    if not isinstance(document, dict) or not isinstance(document.get("environments"), list) \
            or not document["environments"]:
        raise EnvironmentsError(f"{source}: expected a list 'environments:' with at least one entry")
    environments = []
    slugs = set()
    for index, entry in enumerate(document["environments"], start=1):
        where = f"{source}: environment {index}"
        if not isinstance(entry, dict):
            raise EnvironmentsError(f"{where}: expected a mapping, found {entry!r}")
        unknown = set(entry) - {"slug", "display_name", "description", "image", "groups", "previous"}
        if unknown:
            raise EnvironmentsError(f"{where}: unknown keys {sorted(unknown)}")
        slug = str(entry.get("slug", ""))
        if not SLUG.fullmatch(slug):
            raise EnvironmentsError(f"{where}: slug {slug!r} is not lower-case letters, digits and '-'")
        where = f"{source}: environment {slug!r}"
        image = str(entry.get("image", ""))
        if not IMAGE.fullmatch(image):
            raise EnvironmentsError(f"{where}: image {image!r} is not platform/<image>:<tag>[@sha256:<digest>]")
        display_name = str(entry.get("display_name", "")).strip()
        if not display_name:
            raise EnvironmentsError(f"{where}: no display_name")
        groups = entry.get("groups", [])
        if not isinstance(groups, list) or not all(isinstance(group, str) and group for group in groups):
            raise EnvironmentsError(f"{where}: groups must be a list of group names")
        previous = entry.get("previous", [])
        if not isinstance(previous, list) or not all(isinstance(tag, str) and TAG.fullmatch(tag) for tag in previous):
            raise EnvironmentsError(f"{where}: previous must be a list of image tags")
        current = Environment(slug, display_name, str(entry.get("description", "")).strip(), image,
                              frozenset(groups))
        found = [current]
        repository, tag = image.partition("@")[0].rsplit(":", 1)
        for earlier in previous:
            earlier_tag = earlier.partition("@")[0]
            if earlier_tag == tag:
                raise EnvironmentsError(f"{where}: previous names the current tag {tag}")
            found.append(Environment(f"{slug}-{earlier_tag.replace('.', '-').replace('_', '-').lower()}",
                                     f"{display_name} ({earlier_tag}, previous)", current.description,
                                     f"{repository}:{earlier}", current.groups, previous=True))
        for environment in found:
            if environment.slug in slugs:
                raise EnvironmentsError(f"{where}: slug {environment.slug!r} is used twice")
            slugs.add(environment.slug)
        environments.extend(found)
    return environments


def profiles(environments, user_groups, registry: str = "") -> list[dict]:
    """KubeSpawner's profile list for a user of ``user_groups``: the environments they may start, the first default."""
    offered = []
    for environment in environments:
        if environment.allows(user_groups):
            offered.append({
                "slug": environment.slug,
                "display_name": environment.display_name,
                "description": environment.description + (f" ({environment.image})" if environment.description
                                                          else environment.image),
                "kubespawner_override": {"image": environment.reference(registry)},
            })
    if offered:
        offered[0]["default"] = True
    return offered


def check_start(environments, image: str, user: str, user_groups, registry: str = "") -> None:
    """Raises PermissionError unless ``user`` may start ``image`` (the reference the spawner is about to run)."""
    for environment in environments:
        if environment.reference(registry) == image:
            if environment.allows(user_groups):
                return
            raise PermissionError(f"{user} may not start {environment.display_name}: it is for the groups "
                                  f"{', '.join(sorted(environment.groups))}; {user}'s groups: "
                                  f"{', '.join(sorted(user_groups)) or 'none'}")
    raise PermissionError(f"{image} is not one of the hub's environments")
