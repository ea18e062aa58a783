"""The platform's Airflow cluster policies (entry point ``airflow.policy``).

The Kubernetes executor's task pods get the team's Airflow configuration: the ConfigMap the scheduler runs with,
mounted in the scheduler at ``/etc/airflow/config`` (argocd/apps/airflow). Its name carries a hash of its content, so
that a change rolls every component; a pod template (a file) cannot follow that name, so the scheduler hands the
content over instead — the task pods always run with the very configuration of the scheduler that started them.
Variables the pod (its template) sets already are kept; pods other than the executor's are left alone.
"""

from __future__ import annotations

import os
from pathlib import Path

from dataplatform_airflow.task_configuration import add_configuration, task_configuration

try:
    from airflow.policies import hookimpl
except ImportError:  # the build machine's unit tests, without Airflow
    hookimpl = lambda function: function  # noqa: E731

CONFIG_DIRECTORY = "PLATFORM_TASK_CONFIG_DIRECTORY"
DEFAULT_CONFIG_DIRECTORY = "/etc/airflow/config"


@hookimpl
def pod_mutation_hook(pod) -> None:
    labels = (pod.metadata.labels or {}) if pod.metadata else {}
    if labels.get("kubernetes_executor") != "True":
        return
    add_configuration(pod, task_configuration(Path(os.environ.get(CONFIG_DIRECTORY, DEFAULT_CONFIG_DIRECTORY))))
