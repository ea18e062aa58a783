"""Each user's own namespace: where her servers run and her Spark drivers start their executors.

A user's server runs in namespace <template>-<username> (KubeSpawner's user namespaces), so what her server's Spark
account may do (create and delete pods, services and config maps: ClusterRole platform-spark-driver, bound in that
namespace only) reaches her own pods and nobody else's. The namespace is prepared from the template namespace the
Argo CD tree keeps (argocd/apps/jupyterhub/notebooks: the Spark account and its role binding, spark-defaults with the
pinned executor image, the hadoop-client and lakehouse variables, the catalog's Secret, the CA bundle, quota, limits,
network policies): before each start the hub copies the objects NOTEBOOK_NAMESPACE_OBJECTS names from there into
hers, so what a sync changed in the template reaches her at her next start. The copies are the hub's
(app.kubernetes.io/managed-by: jupyterhub), not Argo CD's: they carry none of the template's tracking labels or
annotations.

NOTEBOOK_NAMESPACE_OBJECTS is a comma-separated list of Kind/name; a trailing ? marks an object the template may lack
(it is then not copied): e.g. ServiceAccount/spark,RoleBinding/spark-driver,Secret/lakehouse-catalog?
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The kinds a user's namespace is prepared with: their API version, the kubernetes_asyncio API class and its
#: methods' suffix.
KINDS = {
    "ServiceAccount": ("v1", "CoreV1Api", "service_account"),
    "ConfigMap": ("v1", "CoreV1Api", "config_map"),
    "Secret": ("v1", "CoreV1Api", "secret"),
    "ResourceQuota": ("v1", "CoreV1Api", "resource_quota"),
    "LimitRange": ("v1", "CoreV1Api", "limit_range"),
    "RoleBinding": ("rbac.authorization.k8s.io/v1", "RbacAuthorizationV1Api", "role_binding"),
    "NetworkPolicy": ("networking.k8s.io/v1", "NetworkingV1Api", "network_policy"),
}
#: What the template namespace holds for a user's (argocd/apps/jupyterhub/notebooks; the CA bundle and the catalog's
#: Secret are the installation's: README, Installing).
DEFAULT_OBJECTS = ("ServiceAccount/spark,RoleBinding/spark-driver,ConfigMap/spark-defaults,ConfigMap/hadoop-client,"
                   "ConfigMap/lakehouse,ConfigMap/platform-ca?,Secret/lakehouse-catalog?,ResourceQuota/team-quota,"
                   "LimitRange/team-defaults,NetworkPolicy/same-namespace-only,NetworkPolicy/servers-from-the-hub")
NAME = re.compile(r"[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?")
#: Labels of the template's objects a copy does not keep: Argo CD's tracking label (a copy is not part of its app).
DROPPED_LABELS = {"app.kubernetes.io/instance"}
MANAGED_BY = {"app.kubernetes.io/managed-by": "jupyterhub"}
#: What a user's namespace is labelled with (KubeSpawner's user_namespace_labels; {username} is hers): the platform's
#: policies count it as a team's (platform.io/team: it reaches Trino and the catalog, its pods are admitted by
#: platform-team-pods), the hub's admission policy lets the hub act only in namespaces with platform.io/notebook-user.
NAMESPACE_LABELS = {
    "app.kubernetes.io/part-of": "platform",
    "app.kubernetes.io/managed-by": "jupyterhub",
    "platform.io/team": "notebooks",
    "platform.io/notebook-user": "{username}",
    # As a team's namespace: the executors' hostPath scratch is the one exception to baseline (audited).
    "pod-security.kubernetes.io/enforce": "privileged",
    "pod-security.kubernetes.io/audit": "baseline",
}


class NamespaceObjectsError(ValueError):
    """A malformed NOTEBOOK_NAMESPACE_OBJECTS: what is wrong and where."""


@dataclass(frozen=True)
class TemplateObject:
    kind: str
    name: str
    optional: bool = False

    def __str__(self):
        return f"{self.kind}/{self.name}" + ("?" if self.optional else "")


def parse(text: str, source: str = "NOTEBOOK_NAMESPACE_OBJECTS") -> list[TemplateObject]:
    """The objects of a user's namespace, from Kind/name[?],...; every malformed entry is named."""
    objects, problems = [], []
    for position, entry in enumerate((part.strip() for part in text.split(",")), start=1):
        if not entry:
            continue
        optional = entry.endswith("?")
        kind, _, name = entry.rstrip("?").partition("/")
        if kind not in KINDS:
            problems.append(f"entry {position} ({entry!r}): kind {kind!r} is not one of {', '.join(KINDS)}")
        elif not NAME.fullmatch(name):
            problems.append(f"entry {position} ({entry!r}): {name!r} is not an object name")
        else:
            objects.append(TemplateObject(kind, name, optional))
    if not objects and not problems:
        problems.append("empty: a user's namespace needs at least the Spark account (ServiceAccount/spark)")
    if problems:
        raise NamespaceObjectsError(f"{source}: " + "; ".join(problems))
    return objects


def copy_of(kind: str, source: dict, namespace: str, template_namespace: str) -> dict:
    """The copy in ``namespace`` of a template object (as the API serialises it): its name, its labels but Argo CD's,
    the hub as its manager, its content; its template namespace's service accounts in a role binding become hers."""
    labels = {key: value for key, value in (source.get("metadata", {}).get("labels") or {}).items()
              if key not in DROPPED_LABELS}
    labels.update(MANAGED_BY)
    copy = {key: value for key, value in source.items() if key not in ("metadata", "status")}
    copy["apiVersion"], copy["kind"] = KINDS[kind][0], kind
    copy["metadata"] = {"name": source["metadata"]["name"], "namespace": namespace, "labels": labels}
    if kind == "ServiceAccount":
        # The token secrets of the template's account are not hers.
        copy.pop("secrets", None)
    if kind == "RoleBinding":
        copy["subjects"] = [dict(subject, namespace=namespace)
                            if subject.get("kind") == "ServiceAccount" and subject.get("namespace") == template_namespace
                            else subject for subject in copy.get("subjects") or []]
    return copy


async def prepare(api_client, template_namespace: str, namespace: str, objects, log) -> None:
    """Copies ``objects`` of the template namespace into ``namespace`` (created or replaced); a missing object that is
    not optional stops the start with what is missing and where."""
    import kubernetes_asyncio.client as kubernetes
    from kubernetes_asyncio.client.rest import ApiException

    for template in objects:
        _, api_class, suffix = KINDS[template.kind]
        api = getattr(kubernetes, api_class)(api_client)
        try:
            source = await getattr(api, f"read_namespaced_{suffix}")(template.name, template_namespace)
        except ApiException as error:
            if error.status == 404 and template.optional:
                log.info("namespace %s: no %s in %s to copy (optional)", namespace, template, template_namespace)
                continue
            raise RuntimeError(f"the notebooks' template namespace {template_namespace} has no {template} "
                               f"({error.status} {error.reason}): a user's server needs it (NOTEBOOK_NAMESPACE_OBJECTS)"
                               ) from None
        body = copy_of(template.kind, api_client.sanitize_for_serialization(source), namespace, template_namespace)
        try:
            await getattr(api, f"create_namespaced_{suffix}")(namespace, body)
        except ApiException as error:
            if error.status != 409:
                raise
            await getattr(api, f"replace_namespaced_{suffix}")(template.name, namespace, body)
    log.info("namespace %s prepared from %s: %s", namespace, template_namespace, ", ".join(map(str, objects)))


async def delete(core_api, namespace: str, log) -> bool:
    """Deletes a user's namespace (her pods, executors and copies with it) when it is one (labelled
    platform.io/notebook-user); returns whether it was deleted (False: gone already, or not a user's)."""
    from kubernetes_asyncio.client.rest import ApiException

    try:
        found = await core_api.read_namespace(namespace)
    except ApiException as error:
        if error.status == 404:
            return False
        raise
    if "platform.io/notebook-user" not in (found.metadata.labels or {}):
        log.warning("namespace %s is not a user's notebook namespace: left as it is", namespace)
        return False
    await core_api.delete_namespace(namespace)
    log.info("namespace %s deleted with its user", namespace)
    return True
