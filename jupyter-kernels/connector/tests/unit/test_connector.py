import io
import json
import os
import sys
import tempfile
import unittest
import urllib.error

from dataplatform_notebook.errors import ConnectorError
from dataplatform_notebook.identity import HubIdentity
from dataplatform_notebook.settings import HubSettings, TrinoSettings
from dataplatform_notebook import spark

HUB = {"JUPYTERHUB_API_URL": "http://jupyterhub-api.platform.svc:8081/hub/api/",
       "JUPYTERHUB_API_TOKEN": "server-token", "JUPYTERHUB_USER": "alice"}


class Response(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class TestSettings(unittest.TestCase):
    def test_trino_address_catalog_and_ca_bundle(self):
        settings = TrinoSettings.from_environment({"TRINO_URL": "https://trino.platform.svc:8443"})
        self.assertEqual(("trino.platform.svc", 8443, "lakehouse", True),
                         (settings.host, settings.port, settings.catalog, settings.verify))
        with self.assertRaisesRegex(ConnectorError, "TRINO_URL is not set"):
            TrinoSettings.from_environment({})
        with self.assertRaisesRegex(ConnectorError, "not an https:// address"):
            TrinoSettings.from_environment({"TRINO_URL": "http://trino:8080"})
        with self.assertRaisesRegex(ConnectorError, "/nope.crt \\(TRINO_CA_BUNDLE\\) does not exist"):
            TrinoSettings.from_environment({"TRINO_URL": "https://t", "TRINO_CA_BUNDLE": "/nope.crt"})

    def test_a_server_the_hub_did_not_start_has_no_login(self):
        with self.assertRaisesRegex(ConnectorError, "JUPYTERHUB_API_TOKEN, JUPYTERHUB_USER not set"):
            HubSettings.from_environment({"JUPYTERHUB_API_URL": "http://hub"})


class TestIdentity(unittest.TestCase):
    def test_the_token_comes_from_the_users_auth_state_and_is_reused_for_a_while(self):
        calls = []

        def opener(request, timeout):
            calls.append((request.full_url, request.get_header("Authorization")))
            return Response(json.dumps({"name": "alice", "auth_state": {"access_token": f"t{len(calls)}"}}).encode())

        identity = HubIdentity(HubSettings.from_environment(HUB), reuse_seconds=60, opener=opener)
        self.assertEqual("t1", identity.access_token())
        self.assertEqual("t1", identity.access_token())
        self.assertEqual([("http://jupyterhub-api.platform.svc:8081/hub/api/users/alice", "token server-token")], calls)
        identity.reuse_seconds = 0
        self.assertEqual("t2", identity.access_token())

    def test_no_auth_state_or_no_hub_is_said_plainly(self):
        no_state = HubIdentity(HubSettings.from_environment(HUB), opener=lambda r, timeout: Response(b'{"name": "alice"}'))
        with self.assertRaisesRegex(ConnectorError, "no login token \\(no auth_state\\)"):
            no_state.access_token()

        def refused(request, timeout):
            raise urllib.error.HTTPError(request.full_url, 403, "Forbidden", {}, None)

        with self.assertRaisesRegex(ConnectorError, "the hub refused this server's token \\(403"):
            HubIdentity(HubSettings.from_environment(HUB), opener=refused).access_token()

        def down(request, timeout):
            raise urllib.error.URLError("Connection refused")

        with self.assertRaisesRegex(ConnectorError, "cannot be reached \\(Connection refused\\)"):
            HubIdentity(HubSettings.from_environment(HUB), opener=down).access_token()


class TestSpark(unittest.TestCase):
    def setUp(self):
        self.home = tempfile.mkdtemp()

    def environment(self, **extra):
        base = {"HOME": self.home, "JUPYTERHUB_USER": "alice", "SPARK_MASTER_URL": "k8s://https://kubernetes.default.svc",
                "PLATFORM_SPARK_ENTRYPOINT": json.dumps(["java", "-cp", "x", "Main"])}
        base.update(extra)
        return base

    def test_everything_missing_is_named_at_once(self):
        found = spark.problems({"KERBEROS_REALM": "PLATFORM.EXAMPLE", "JUPYTERHUB_USER": "alice"}, lambda: False)
        self.assertEqual(3, len(found), found)
        self.assertIn("PLATFORM_SPARK_ENTRYPOINT is not set", found[0])
        self.assertIn("SPARK_MASTER_URL is not set", found[1])
        self.assertIn("run `kinit alice@PLATFORM.EXAMPLE` in a terminal", found[2])
        self.assertEqual([], spark.problems(self.environment(KERBEROS_REALM="PLATFORM.EXAMPLE"), lambda: True))
        self.assertEqual(["the keytab /none.keytab (KERBEROS_KEYTAB) does not exist"], spark.problems(self.environment(
            KERBEROS_REALM="R", KERBEROS_PRINCIPAL="alice", KERBEROS_KEYTAB="/none.keytab"), lambda: False))
        with self.assertRaisesRegex(ConnectorError, "not a JSON list of strings"):
            spark.entrypoint({"PLATFORM_SPARK_ENTRYPOINT": '"java"'})
        for executors in (0, 1.5, True):
            with self.assertRaisesRegex(ConnectorError, "ask for a whole number of executors, 1 or more"):
                spark.start_driver(self.environment(), timeout=1, has_ticket=lambda: True, executors=executors)

    def test_known_failures_in_the_drivers_log_become_a_sentence(self):
        self.assertIn("your namespace's quota is exhausted", spark.diagnose([
            "INFO starting", 'WARN ExecutorPodsSnapshotsStoreImpl: pods "x-exec-1" is forbidden: exceeded quota: '
            'notebooks, requested: requests.cpu=1, used: requests.cpu=4, limited: requests.cpu=4']))
        self.assertIn("no valid Kerberos ticket", spark.diagnose(["javax.security.sasl.SaslException: GSS initiate failed"]))
        self.assertIsNone(spark.diagnose(["INFO all is well"]))

    def test_a_driver_that_stops_at_start_is_explained_from_its_log(self):
        script = os.path.join(self.home, "driver.py")
        with open(script, "w") as out:
            out.write("import sys\nprint('INFO submitting', sys.argv[1:])\n"
                      "print('WARN pods \"notebook-alice-exec-1\" is forbidden: exceeded quota: compute')\n"
                      "sys.exit(3)\n")
        environment = self.environment(PLATFORM_SPARK_ENTRYPOINT=json.dumps([sys.executable, script]))
        with self.assertRaises(ConnectorError) as raised:
            spark.start_driver(environment, timeout=30, has_ticket=lambda: True)
        message = str(raised.exception)
        self.assertIn("the Spark driver stopped at start (exit 3): your namespace's quota is exhausted", message)
        with open(os.path.join(self.home, ".spark", "driver.log")) as log:
            submitted = log.read()
        # the Spark launcher's submit role, with PySpark's gateway
        self.assertIn("['submit', '--name', 'notebook-alice', '--conf', 'spark.executor.instances=2', "
                      "'pyspark-shell']", submitted)

    def test_the_gateway_is_joined_with_the_port_and_secret_the_driver_writes(self):
        script = os.path.join(self.home, "driver.py")
        with open(script, "w") as out:
            out.write("import os, struct, sys\n"
                      "secret = 'g4t3way'.encode()\n"
                      "path = os.environ['_PYSPARK_DRIVER_CONN_INFO_PATH']\n"
                      "open(path + '.tmp', 'wb').write(struct.pack('>ii', 40123, len(secret)) + secret)\n"
                      "os.rename(path + '.tmp', path)\n"
                      "sys.stdin.read()\n")  # as PySpark's gateway: until its input ends
        environment = self.environment(PLATFORM_SPARK_ENTRYPOINT=json.dumps([sys.executable, script]))
        driver = spark.start_driver(environment, timeout=30, has_ticket=lambda: True)
        self.assertEqual((40123, "g4t3way"), (driver.port, driver.secret))
        self.assertTrue(driver.running())
        driver.process.stdin.close()
        self.assertEqual(0, driver.process.wait(10))

    def test_no_driver_running_is_nothing_to_stop(self):
        self.assertFalse(spark.stop_spark())


if __name__ == "__main__":
    unittest.main()
