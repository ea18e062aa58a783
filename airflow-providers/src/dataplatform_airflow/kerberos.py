"""A task's Kerberos login to an HTTP service (SPNEGO's ``Authorization: Negotiate``) as the team's principal.

The team's tasks hold its keytab (``KERBEROS_KEYTAB``) and name its principal (``KERBEROS_PRINCIPAL``); the image's
launcher renders the platform's Kerberos client file where tasks run and names it by ``KRB5_CONFIG``. MIT Kerberos
does the rest through python-gssapi (Debian's python3-gssapi in the image: no wheel of it exists for Linux), with
the keytab as the credential store's client keytab — no kinit, no ticket cache on disk.

The upstream Trino hook's Kerberos needs requests-kerberos, whose pyspnego needs pykrb5 as well, which has neither a
wheel nor a Debian package; this is the part the platform writes itself.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping


class KerberosLoginError(RuntimeError):
    """A login that cannot happen: what is missing or what the KDC said, with the principal and keytab named."""


class KerberosLogin:
    """The principal and keytab of a task; :meth:`negotiate` gives the header for one request to a service."""

    def __init__(self, principal: str, keytab: str, gssapi_module=None):
        self.principal = principal
        self.keytab = keytab
        self._gssapi = gssapi_module
        self._credentials = None

    @classmethod
    def from_environment(cls, environment: Mapping[str, str] | None = None, gssapi_module=None) -> KerberosLogin:
        """The task's login, or every problem at once (nothing is tried before they are all named)."""
        environment = os.environ if environment is None else environment
        principal = environment.get("KERBEROS_PRINCIPAL", "").strip()
        keytab = environment.get("KERBEROS_KEYTAB", "").strip()
        problems = []
        if not principal:
            problems.append("KERBEROS_PRINCIPAL is not set (the team's principal, e.g. etl)")
        if not keytab:
            problems.append("KERBEROS_KEYTAB is not set (the team's keytab, e.g. /etc/security/keytabs/keytab)")
        elif not os.path.isfile(keytab):
            problems.append(f"the keytab {keytab} (KERBEROS_KEYTAB) does not exist")
        elif not os.access(keytab, os.R_OK):
            problems.append(f"the keytab {keytab} (KERBEROS_KEYTAB) is not readable by this user")
        if not environment.get("KRB5_CONFIG", "").strip():
            problems.append("KRB5_CONFIG is not set (the platform's Kerberos client file, which the image's launcher "
                            "writes where tasks run from the hadoop-client variables)")
        if problems:
            raise KerberosLoginError("no Kerberos login for this task: " + "; ".join(problems))
        return cls(principal, keytab, gssapi_module)

    @property
    def user(self) -> str:
        """The principal's user name, as services map it (``etl@PLATFORM.EXAMPLE`` → ``etl``)."""
        return self.principal.split("@", 1)[0].split("/", 1)[0]

    def token(self, service: str, host: str) -> bytes:
        """A Kerberos token for ``service/host`` (its principal as written: no DNS canonicalisation of the host)."""
        gssapi = self._gssapi
        if gssapi is None:
            import gssapi
        try:
            if self._credentials is None:
                self._credentials = gssapi.Credentials(
                    name=gssapi.Name(self.principal, gssapi.NameType.kerberos_principal),
                    usage="initiate",
                    store={"client_keytab": self.keytab, "ccache": f"MEMORY:dataplatform-{os.getpid()}"},
                )
            context = gssapi.SecurityContext(
                name=gssapi.Name(f"{service}/{host}", gssapi.NameType.kerberos_principal),
                creds=self._credentials,
                usage="initiate",
            )
            return context.step()
        except gssapi.exceptions.GSSError as error:
            raise KerberosLoginError(
                f"Kerberos login as {self.principal} (keytab {self.keytab}) for {service}/{host} failed: {error}"
            ) from error

    def negotiate(self, service: str, host: str) -> str:
        return "Negotiate " + base64.b64encode(self.token(service, host)).decode("ascii")


class Negotiate:
    """A requests authentication (``session.auth``): every request to ``host`` carries a fresh Negotiate token."""

    def __init__(self, login: KerberosLogin, host: str, service: str = "HTTP"):
        self.login = login
        self.host = host
        self.service = service

    def __call__(self, request):
        request.headers["Authorization"] = self.login.negotiate(self.service, self.host)
        return request
