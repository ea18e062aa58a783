"""The platform's Trino as the logged-in user: a pandas DataFrame from SQL, and the engine behind ``%sql``.

Trino authenticates the realm's access tokens (its OAuth 2.0 / JWT authenticator); every request carries the user's
current token, asked of the hub (:mod:`dataplatform_notebook.identity`), so a long session outlives a token. What
Trino says — a missing table, a denied access, a full queue — is raised as one sentence.
"""

from __future__ import annotations

from dataplatform_notebook.errors import ConnectorError
from dataplatform_notebook.identity import HubIdentity
from dataplatform_notebook.settings import HubSettings, TrinoSettings

#: Trino errors that mean the user's share of the cluster is used up, not that the query is wrong.
QUOTA_ERRORS = {"QUERY_QUEUE_FULL", "EXCEEDED_GLOBAL_MEMORY_LIMIT", "EXCEEDED_LOCAL_MEMORY_LIMIT",
                "EXCEEDED_CPU_LIMIT", "EXCEEDED_SCAN_LIMIT", "QUERY_HAS_TOO_MANY_STAGES"}

_identity: HubIdentity | None = None


def identity() -> HubIdentity:
    global _identity
    if _identity is None:
        _identity = HubIdentity(HubSettings.from_environment())
    return _identity


def _authentication(user_identity: HubIdentity):
    import requests
    from trino.auth import Authentication

    class HubBearer(requests.auth.AuthBase):
        def __call__(self, request):
            request.headers["Authorization"] = f"Bearer {user_identity.access_token()}"
            return request

    class HubTokenAuthentication(Authentication):
        def set_http_session(self, http_session):
            http_session.auth = HubBearer()
            return http_session

        def get_exceptions(self):
            return ()

    return HubTokenAuthentication()


def _connect(catalog: str | None, schema: str | None):
    import trino

    settings = TrinoSettings.from_environment()
    user_identity = identity()
    return trino.dbapi.connect(host=settings.host, port=settings.port, user=user_identity.user,
                               http_scheme="https", auth=_authentication(user_identity), verify=settings.verify,
                               catalog=catalog or settings.catalog, schema=schema, source="jupyter")


def trino_where() -> str:
    """Trino's address as the messages name it."""
    settings = TrinoSettings.from_environment()
    return f"https://{settings.host}:{settings.port}"


def explain(error: Exception, where: str) -> ConnectorError:
    """The sentence for an error of the Trino client (or of the network under it)."""
    import requests
    from trino import exceptions

    if isinstance(error, ConnectorError):
        return error
    if isinstance(error, exceptions.TrinoQueryError):
        name = getattr(error, "error_name", "") or ""
        message = getattr(error, "message", str(error))
        if name in QUOTA_ERRORS:
            return ConnectorError(f"your share of Trino is used up ({name}): {message}. Wait for your other queries, "
                                  "or ask the platform team about your team's quota")
        return ConnectorError(f"Trino refused the query ({name}): {message}")
    if isinstance(error, exceptions.HttpError) and "401" in str(error):
        return ConnectorError(f"Trino at {where} did not accept your login token (401): log out of the hub and in "
                              "again")
    if isinstance(error, (requests.exceptions.ConnectionError, requests.exceptions.Timeout, exceptions.HttpError)):
        return ConnectorError(f"Trino at {where} cannot be reached: {error}")
    return ConnectorError(f"Trino at {where}: {type(error).__name__}: {error}")


def trino_query(sql: str, catalog: str | None = None, schema: str | None = None):
    """Runs ``sql`` on the platform's Trino as the logged-in user; returns its rows as a pandas DataFrame."""
    import pandas

    where = trino_where()
    connection = _connect(catalog, schema)
    try:
        cursor = connection.cursor()
        cursor.execute(sql)
        rows = cursor.fetchall()
        columns = [column[0] for column in cursor.description or []]
    except Exception as error:  # noqa: BLE001 - every failure becomes one sentence
        raise explain(error, where) from None
    finally:
        connection.close()
    return pandas.DataFrame.from_records(rows, columns=columns)


def trino_engine(catalog: str | None = None):
    """A SQLAlchemy engine on the platform's Trino as the logged-in user (what ``%sql`` uses)."""
    import sqlalchemy

    settings = TrinoSettings.from_environment()
    user_identity = identity()
    return sqlalchemy.create_engine(
        f"trino://{user_identity.user}@{settings.host}:{settings.port}/{catalog or settings.catalog}",
        connect_args={"auth": _authentication(user_identity), "http_scheme": "https", "verify": settings.verify,
                      "source": "jupyter-sql"})
