"""The scheduler hands its team's Airflow configuration (the mounted ConfigMap) to the task pods it starts."""

import tempfile
import unittest
from pathlib import Path
from types import SimpleNamespace

from dataplatform_airflow.policies import pod_mutation_hook
from dataplatform_airflow.task_configuration import add_configuration, task_configuration


def variable(name, value):
    return SimpleNamespace(name=name, value=value)


def pod(labels, env):
    return SimpleNamespace(metadata=SimpleNamespace(labels=labels),
                           spec=SimpleNamespace(containers=[SimpleNamespace(env=env)]))


class TestTaskConfiguration(unittest.TestCase):
    def test_the_mounted_config_map_is_read_key_by_key(self):
        with tempfile.TemporaryDirectory() as directory:
            # What a ConfigMap volume holds: a file per key, and Kubernetes' hidden ..data links.
            Path(directory, "AIRFLOW__CORE__EXECUTOR").write_text("LocalExecutor,KubernetesExecutor")
            Path(directory, "KERBEROS_PRINCIPAL").write_text("etl")
            Path(directory, "..data").mkdir()
            self.assertEqual(task_configuration(Path(directory)), {
                "AIRFLOW__CORE__EXECUTOR": "LocalExecutor,KubernetesExecutor", "KERBEROS_PRINCIPAL": "etl"})
        self.assertEqual(task_configuration(Path("/nonexistent")), {})

    def test_what_the_pod_sets_already_is_kept(self):
        task = pod({"kubernetes_executor": "True"}, [variable("AIRFLOW_ROLE", "task"), variable("KERBEROS_PRINCIPAL", "x")])
        add_configuration(task, {"KERBEROS_PRINCIPAL": "etl", "AIRFLOW__CORE__PARALLELISM": "16"}, variable)
        self.assertEqual([(each.name, each.value) for each in task.spec.containers[0].env],
                         [("AIRFLOW_ROLE", "task"), ("KERBEROS_PRINCIPAL", "x"), ("AIRFLOW__CORE__PARALLELISM", "16")])

    def test_pods_other_than_the_executors_are_left_alone(self):
        other = pod({"app": "something"}, None)
        pod_mutation_hook(other)
        self.assertIsNone(other.spec.containers[0].env)


if __name__ == "__main__":
    unittest.main()
