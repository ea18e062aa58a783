"""The platform's Trino as the team's principal: the upstream TrinoHook, logged in with the task's Kerberos keytab.

Everything but the login is the upstream hook's (SQL operators, ``get_records``, ``insert_rows``, lineage). The
connection (conn_type ``platform_trino``; the team's Airflow defines ``trino`` in its configuration) names the
coordinator's HTTPS address, the catalog and the CA bundle (``verify``); the user is the principal's name, the
identity Trino's Kerberos authenticator gives the request (``etl@PLATFORM.EXAMPLE`` → ``etl``), so the platform's
policies decide with the team's groups, as for its Spark jobs on HDFS.

Extras: ``catalog``, ``verify`` (a CA bundle, or false), ``source``, ``session_properties``, ``client_tags``,
``kerberos__service_name`` (HTTP), ``kerberos__hostname_override`` (the host of the service's principal, when the
address is another name).
"""

from __future__ import annotations

from typing import Any

import trino
from airflow.providers.trino.hooks.trino import TrinoHook, generate_trino_client_info

from dataplatform_airflow.kerberos import KerberosLogin, Negotiate


class TrinoKerberos(trino.auth.Authentication):
    """The Trino client's authentication: a Negotiate header on every request of its session."""

    def __init__(self, negotiate: Negotiate):
        self.negotiate = negotiate

    def set_http_session(self, http_session):
        http_session.auth = self.negotiate
        return http_session


class PlatformTrinoHook(TrinoHook):
    conn_type = "platform_trino"
    hook_name = "Trino (platform, Kerberos as the team's principal)"
    default_conn_name = "trino"

    def get_conn(self) -> Any:
        connection = self.get_connection(self.get_conn_id())
        extra = connection.extra_dejson
        login = KerberosLogin.from_environment()
        negotiate = Negotiate(login, extra.get("kerberos__hostname_override", connection.host),
                              extra.get("kerberos__service_name", "HTTP"))
        verify = extra.get("verify", True)
        if isinstance(verify, str) and verify.lower() in ("true", "false"):
            verify = verify.lower() == "true"
        self.log.info("Trino at https://%s:%s as %s (Kerberos, principal %s)", connection.host, connection.port,
                      login.user, login.principal)
        return trino.dbapi.connect(
            host=connection.host,
            port=connection.port or 8443,
            user=login.user,
            source=extra.get("source", "airflow"),
            http_scheme="https",
            http_headers={"X-Trino-Client-Info": generate_trino_client_info()},
            catalog=extra.get("catalog"),
            schema=connection.schema or None,
            auth=TrinoKerberos(negotiate),
            isolation_level=self.get_isolation_level(),
            verify=verify,
            session_properties=extra.get("session_properties") or None,
            client_tags=extra.get("client_tags") or None,
        )
