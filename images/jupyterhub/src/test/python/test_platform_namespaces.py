import unittest

import platform_namespaces as namespaces
from platform_namespaces import NamespaceObjectsError, TemplateObject


class TestNamespaceObjects(unittest.TestCase):
    def test_the_default_list_names_what_the_template_holds_the_installations_objects_optional(self):
        objects = namespaces.parse(namespaces.DEFAULT_OBJECTS)
        self.assertIn(TemplateObject("RoleBinding", "spark-driver"), objects)
        self.assertIn(TemplateObject("Secret", "lakehouse-catalog", optional=True), objects)
        self.assertEqual(["ConfigMap/platform-ca?", "Secret/lakehouse-catalog?"],
                         [str(o) for o in objects if o.optional])

    def test_every_malformed_entry_is_named_with_its_position(self):
        with self.assertRaises(NamespaceObjectsError) as refused:
            namespaces.parse("ServiceAccount/spark, Deployment/x,ConfigMap/Bad_Name,,Secret/ok?", "hub.env")
        message = str(refused.exception)
        self.assertTrue(message.startswith("hub.env: "), message)
        self.assertIn("entry 2 ('Deployment/x'): kind 'Deployment' is not one of ServiceAccount", message)
        self.assertIn("entry 3 ('ConfigMap/Bad_Name'): 'Bad_Name' is not an object name", message)
        self.assertNotIn("entry 1", message)
        with self.assertRaises(NamespaceObjectsError) as empty:
            namespaces.parse(" , ")
        self.assertIn("empty", str(empty.exception))


class TestCopies(unittest.TestCase):
    def test_a_copy_is_the_hubs_with_the_template_content_and_none_of_argo_cds_tracking(self):
        source = {"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": {"name": "spark-defaults", "namespace": "notebooks", "uid": "u-1", "resourceVersion": "7",
                               "labels": {"app.kubernetes.io/instance": "jupyterhub",
                                          "app.kubernetes.io/part-of": "platform"},
                               "annotations": {"argocd.argoproj.io/tracking-id": "jupyterhub:/ConfigMap:x"}},
                  "data": {"SPARK_EXECUTOR_IMAGE": "platform/spark:4.1.1-1"}}
        copy = namespaces.copy_of("ConfigMap", source, "notebooks-alice", "notebooks")
        self.assertEqual({"apiVersion": "v1", "kind": "ConfigMap",
                          "metadata": {"name": "spark-defaults", "namespace": "notebooks-alice",
                                       "labels": {"app.kubernetes.io/part-of": "platform",
                                                  "app.kubernetes.io/managed-by": "jupyterhub"}},
                          "data": {"SPARK_EXECUTOR_IMAGE": "platform/spark:4.1.1-1"}}, copy)
        self.assertEqual("notebooks", source["metadata"]["namespace"], "the template's object is left as it was")

    def test_the_spark_accounts_binding_binds_her_namespaces_account_only(self):
        source = {"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                              "name": "platform-spark-driver"},
                  "metadata": {"name": "spark-driver"},
                  "subjects": [{"kind": "ServiceAccount", "name": "spark", "namespace": "notebooks"},
                               {"kind": "ServiceAccount", "name": "other", "namespace": "platform"}]}
        copy = namespaces.copy_of("RoleBinding", source, "notebooks-alice", "notebooks")
        self.assertEqual("rbac.authorization.k8s.io/v1", copy["apiVersion"])
        self.assertEqual([{"kind": "ServiceAccount", "name": "spark", "namespace": "notebooks-alice"},
                          {"kind": "ServiceAccount", "name": "other", "namespace": "platform"}], copy["subjects"])
        self.assertEqual("platform-spark-driver", copy["roleRef"]["name"])

    def test_the_template_accounts_token_secrets_are_not_copied(self):
        copy = namespaces.copy_of("ServiceAccount", {"metadata": {"name": "spark"}, "secrets": [{"name": "spark-token"}],
                                                     "automountServiceAccountToken": True}, "notebooks-bob", "notebooks")
        self.assertNotIn("secrets", copy)
        self.assertTrue(copy["automountServiceAccountToken"])


if __name__ == "__main__":
    unittest.main()
