"""Where the platform's services are, from the variables the hub gives every notebook server."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from dataplatform_notebook.errors import ConnectorError


@dataclass(frozen=True)
class TrinoSettings:
    host: str
    port: int
    catalog: str
    #: A CA bundle to check Trino's certificate with, or True for the system's.
    verify: str | bool

    @classmethod
    def from_environment(cls, environment: Mapping[str, str] | None = None) -> TrinoSettings:
        environment = os.environ if environment is None else environment
        url = environment.get("TRINO_URL", "").strip()
        if not url:
            raise ConnectorError("TRINO_URL is not set: this server was not started by the platform's JupyterHub "
                                 "(it sets the Trino address, e.g. https://trino.platform.svc:8443)")
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise ConnectorError(f"TRINO_URL={url} is not an https:// address of Trino")
        ca_bundle = environment.get("TRINO_CA_BUNDLE", "").strip()
        if ca_bundle and not os.path.isfile(ca_bundle):
            raise ConnectorError(f"the CA bundle {ca_bundle} (TRINO_CA_BUNDLE) does not exist")
        return cls(parts.hostname, parts.port or 443, environment.get("TRINO_CATALOG", "").strip() or "lakehouse",
                   ca_bundle or True)


@dataclass(frozen=True)
class HubSettings:
    api_url: str
    token: str
    user: str

    @classmethod
    def from_environment(cls, environment: Mapping[str, str] | None = None) -> HubSettings:
        environment = os.environ if environment is None else environment
        missing = [name for name in ("JUPYTERHUB_API_URL", "JUPYTERHUB_API_TOKEN", "JUPYTERHUB_USER")
                   if not environment.get(name, "").strip()]
        if missing:
            raise ConnectorError(f"{', '.join(missing)} not set: this server was not started by the platform's "
                                 "JupyterHub, so there is no login to act as")
        return cls(environment["JUPYTERHUB_API_URL"].strip().rstrip("/"), environment["JUPYTERHUB_API_TOKEN"].strip(),
                   environment["JUPYTERHUB_USER"].strip())
