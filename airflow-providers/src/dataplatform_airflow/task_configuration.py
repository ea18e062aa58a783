"""The team's Airflow configuration handed from the scheduler to its task pods (see policies)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def task_configuration(directory: Path) -> dict[str, str]:
    """The configuration to hand to task pods: each file of the mounted ConfigMap (its keys) and its content."""
    if not directory.is_dir():
        return {}
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(directory.iterdir())
        if path.is_file() and not path.name.startswith(".")
    }


def add_configuration(pod, configuration: dict[str, str], variable: Callable | None = None) -> None:
    """Adds the variables to the pod's first container (the task's), keeping those it sets already."""
    if variable is None:
        from kubernetes.client import models as k8s

        variable = k8s.V1EnvVar
    container = pod.spec.containers[0]
    env = list(container.env or [])
    present = {each.name for each in env}
    env.extend(variable(name=name, value=value) for name, value in configuration.items() if name not in present)
    container.env = env
