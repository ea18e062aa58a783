"""A task's Kerberos login: what it asks of GSSAPI, and what it says when it cannot log in.

GSSAPI itself (MIT Kerberos, a KDC, Trino's authenticator) is exercised by AirflowOnKubernetesIT; here a recording
stand-in for the python-gssapi module shows which names and credential store the login hands it.
"""

import base64
import os
import tempfile
import unittest
from types import SimpleNamespace

from dataplatform_airflow.kerberos import KerberosLogin, KerberosLoginError, Negotiate


class GSSError(Exception):
    pass


def recording_gssapi(calls, fail=None):
    def name(text, kind):
        return ("name", text, kind)

    def credentials(**arguments):
        calls.append(("credentials", arguments))
        return "credentials"

    class SecurityContext:
        def __init__(self, **arguments):
            calls.append(("context", arguments))

        def step(self):
            if fail:
                raise GSSError(fail)
            return b"token"

    return SimpleNamespace(Name=name, NameType=SimpleNamespace(kerberos_principal="krb5-principal"),
                           Credentials=credentials, SecurityContext=SecurityContext,
                           exceptions=SimpleNamespace(GSSError=GSSError))


class TestKerberosLogin(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.keytab = os.path.join(self.directory.name, "keytab")
        with open(self.keytab, "wb") as file:
            file.write(b"\x05\x02")
        self.environment = {"KERBEROS_PRINCIPAL": "etl", "KERBEROS_KEYTAB": self.keytab,
                            "KRB5_CONFIG": "/opt/airflow/client/krb5.conf"}

    def tearDown(self):
        self.directory.cleanup()

    def test_the_keytab_is_the_credential_store_and_the_service_principal_is_taken_as_written(self):
        calls = []
        login = KerberosLogin.from_environment(self.environment, recording_gssapi(calls))
        header = Negotiate(login, "trino.platform.svc")(SimpleNamespace(headers={})).headers["Authorization"]
        self.assertEqual(header, "Negotiate " + base64.b64encode(b"token").decode())
        (_, credentials), (_, context) = calls
        self.assertEqual(credentials["name"], ("name", "etl", "krb5-principal"))
        self.assertEqual(credentials["usage"], "initiate")
        self.assertEqual(credentials["store"]["client_keytab"], self.keytab)
        self.assertTrue(credentials["store"]["ccache"].startswith("MEMORY:"))
        self.assertEqual(context["name"], ("name", "HTTP/trino.platform.svc", "krb5-principal"))
        # The credentials are acquired once; every request gets a context (a token) of its own.
        Negotiate(login, "trino.platform.svc")(SimpleNamespace(headers={}))
        self.assertEqual([call[0] for call in calls], ["credentials", "context", "context"])

    def test_the_user_is_the_principals_name(self):
        self.assertEqual(KerberosLogin("etl@PLATFORM.EXAMPLE", self.keytab).user, "etl")
        self.assertEqual(KerberosLogin("etl-marketing", self.keytab).user, "etl-marketing")
        self.assertEqual(KerberosLogin("spark/host.example@PLATFORM.EXAMPLE", self.keytab).user, "spark")

    def test_every_missing_piece_is_named_at_once(self):
        with self.assertRaises(KerberosLoginError) as raised:
            KerberosLogin.from_environment({"KERBEROS_KEYTAB": self.keytab + ".missing"})
        self.assertEqual(str(raised.exception), "no Kerberos login for this task: "
                         "KERBEROS_PRINCIPAL is not set (the team's principal, e.g. etl); "
                         f"the keytab {self.keytab}.missing (KERBEROS_KEYTAB) does not exist; "
                         "KRB5_CONFIG is not set (the platform's Kerberos client file, which the image's launcher "
                         "writes where tasks run from the hadoop-client variables)")

    def test_what_the_kdc_says_comes_with_the_principal_keytab_and_service(self):
        login = KerberosLogin.from_environment(self.environment, recording_gssapi([], fail="Client not found"))
        with self.assertRaises(KerberosLoginError) as raised:
            login.negotiate("HTTP", "trino.platform.svc")
        self.assertEqual(str(raised.exception), f"Kerberos login as etl (keytab {self.keytab}) for "
                         "HTTP/trino.platform.svc failed: Client not found")


if __name__ == "__main__":
    unittest.main()
