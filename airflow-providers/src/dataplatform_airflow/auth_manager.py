"""The platform's auth manager: a team's Airflow is logged in to through the platform's identity provider, and used by
the groups its configuration names.

``AIRFLOW__CORE__AUTH_MANAGER=dataplatform_airflow.auth_manager.PlatformAuthManager`` and section ``[platform_auth]``:

- ``issuer``: the realm's URL (its discovery document is ``<issuer>/.well-known/openid-configuration``);
- ``client_id``, ``client_secret``: the Airflow client of the realm;
- ``user_groups``: the groups (the ID token's ``groups`` claim) whose members may do everything in this Airflow: the
  team's group;
- ``admin_groups`` (optional): more such groups, the platform's administrators;
- ``viewer_groups`` (optional): groups whose members may only read.

Why not the upstream Keycloak auth manager: it asks Keycloak's Authorization Services about every request, which
needs resources, scopes and permissions set up per client (and per team); the platform decides access by group
membership everywhere else (Trino, HDFS, Argo CD), so here too: one realm client for every team's Airflow, and the
team's group in the team's values.

Login: ``/auth/login`` sends the browser to the realm; ``/auth/callback`` exchanges the code, checks the ID token
(signature, audience, issuer, nonce) and the user's groups, then sets Airflow's own token (the ``_token`` cookie the
UI and the REST API accept) holding the user's name and role. A user outside the groups gets 403 and no token.
"""

from __future__ import annotations

import html
import logging
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from airflow.api_fastapi.app import AUTH_MANAGER_FASTAPI_APP_PREFIX, get_cookie_path
from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN, BaseAuthManager
from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.core_api.security import is_safe_url
from airflow.configuration import conf

from dataplatform_airflow.login import Access, IdentityProvider, LoginFailed, LoginState

log = logging.getLogger(__name__)

SECTION = "platform_auth"
#: The cookie that carries a login in progress from /auth/login to /auth/callback.
LOGIN_COOKIE = "_platform_login"


class PlatformUser(BaseUser):
    def __init__(self, username: str, role: str):
        self.username = username
        self.role = role

    def get_id(self) -> str:
        return self.username

    def get_name(self) -> str:
        return self.username


def settings_problems() -> list[str]:
    """What [platform_auth] lacks, each named with its environment variable."""
    problems = []
    for key, meaning in (("issuer", "the realm's URL"), ("client_id", "the realm's client for Airflow"),
                         ("client_secret", "that client's secret"),
                         ("user_groups", "the groups that may use this Airflow, comma-separated")):
        if not (conf.get(SECTION, key, fallback="") or "").strip():
            problems.append(f"[{SECTION}] {key} is not set ({meaning}; AIRFLOW__{SECTION.upper()}__{key.upper()})")
    return problems


class PlatformAuthManager(BaseAuthManager[PlatformUser]):
    def __init__(self):
        super().__init__()
        self._provider = None

    def init(self) -> None:
        super().init()
        problems = settings_problems()
        if problems:
            raise ValueError("the platform auth manager cannot start: " + "; ".join(problems))
        log.info("Airflow login through %s for the groups %s (viewers: %s)", self._issuer(),
                 ", ".join(self._access().user_groups), ", ".join(self._access().viewer_groups) or "none")

    # The user and Airflow's token

    def deserialize_user(self, token: dict[str, Any]) -> PlatformUser:
        return PlatformUser(username=token["sub"], role=token["role"])

    def serialize_user(self, user: PlatformUser) -> dict[str, Any]:
        return {"sub": user.username, "role": user.role}

    def get_url_login(self, **kwargs) -> str:
        next_url = kwargs.get("next_url")
        login = AUTH_MANAGER_FASTAPI_APP_PREFIX + "/login"
        return login + ("?" + urlencode({"next": next_url}) if next_url else "")

    def get_url_logout(self) -> str | None:
        try:
            return self._identity_provider().logout_url()
        except LoginFailed as e:
            log.warning("no logout at the identity provider: %s", e)
            return None

    # Authorisation: the role in the token, for every kind of resource

    def _allowed(self, method, user: PlatformUser) -> bool:
        return Access.allows(user.role, str(method))

    def is_authorized_configuration(self, *, method, user, details=None) -> bool:
        return self._allowed(method, user)

    def is_authorized_connection(self, *, method, user, details=None) -> bool:
        return self._allowed(method, user)

    def is_authorized_dag(self, *, method, user, access_entity=None, details=None) -> bool:
        return self._allowed(method, user)

    def is_authorized_asset(self, *, method, user, details=None) -> bool:
        return self._allowed(method, user)

    def is_authorized_asset_alias(self, *, method, user, details=None) -> bool:
        return self._allowed(method, user)

    def is_authorized_pool(self, *, method, user, details=None) -> bool:
        return self._allowed(method, user)

    def is_authorized_variable(self, *, method, user, details=None) -> bool:
        return self._allowed(method, user)

    def is_authorized_view(self, *, access_view, user) -> bool:
        return self._allowed("GET", user)

    def is_authorized_custom_view(self, *, method, resource_name: str, user) -> bool:
        return self._allowed(method, user)

    def filter_authorized_menu_items(self, menu_items, *, user):
        return menu_items

    # Login routes, mounted at /auth

    def get_fastapi_app(self) -> FastAPI | None:
        app = FastAPI(title="Platform login", description="Login through the platform's identity provider")

        @app.get("/login", include_in_schema=False)
        def login(request: Request):
            next_url = request.query_params.get("next")
            state, nonce, cookie = self._state().issue(next_url if next_url and is_safe_url(next_url, request)
                                                       else None)
            try:
                target = self._identity_provider().authorization_url(_callback(request), state, nonce)
            except LoginFailed as e:
                return _page(503, "Login is not available", str(e))
            response = RedirectResponse(target, status_code=302)
            response.set_cookie(LOGIN_COOKIE, cookie, max_age=600, path=get_cookie_path(), httponly=True,
                                secure=request.url.scheme == "https", samesite="lax")
            return response

        @app.get("/callback", include_in_schema=False)
        def callback(request: Request):
            query = request.query_params
            if query.get("error"):
                return _page(401, "Login failed", "the identity provider says: %s %s" % (
                    query.get("error"), query.get("error_description", "")))
            try:
                nonce, next_url = self._state().check(request.cookies.get(LOGIN_COOKIE), query.get("state"))
                claims = self._identity_provider().claims(query.get("code", ""), _callback(request), nonce)
            except LoginFailed as e:
                log.warning("login failed: %s", e)
                return _page(401, "Login failed", str(e))
            name = claims.get("preferred_username") or claims["sub"]
            groups = claims.get("groups") or []
            role = self._access().role(groups)
            if role is None:
                log.warning("login refused: %s", self._access().refusal(name, groups))
                return _page(403, "Not for you", self._access().refusal(name, groups))
            log.info("%s logged in as %s (groups %s)", name, role, ", ".join(groups))
            response = RedirectResponse(next_url or conf.get("api", "base_url", fallback="/") or "/",
                                        status_code=302)
            response.delete_cookie(LOGIN_COOKIE, path=get_cookie_path())
            response.set_cookie(COOKIE_NAME_JWT_TOKEN, self.generate_jwt(PlatformUser(name, role)),
                                path=get_cookie_path(), httponly=True, secure=request.url.scheme == "https",
                                samesite="lax")
            return response

        return app

    def _issuer(self) -> str:
        return conf.get(SECTION, "issuer").strip()

    def _access(self) -> Access:
        return Access.parse(conf.get(SECTION, "user_groups", fallback="") + ","
                            + conf.get(SECTION, "admin_groups", fallback=""),
                            conf.get(SECTION, "viewer_groups", fallback=""))

    def _state(self) -> LoginState:
        return LoginState(conf.get("api", "secret_key"))

    def _identity_provider(self) -> IdentityProvider:
        if self._provider is None:
            self._provider = IdentityProvider(self._issuer(), conf.get(SECTION, "client_id").strip(),
                                              conf.get(SECTION, "client_secret").strip())
        return self._provider


def _callback(request: Request) -> str:
    """This Airflow's callback URL: [api] base_url's when set (behind a proxy), else the one the browser used."""
    base = (conf.get("api", "base_url", fallback="") or "").rstrip("/")
    if base.startswith(("http://", "https://")):
        return base + "/auth/callback"
    path = request.url.path.rsplit("/", 1)[0] + "/callback"
    return str(request.url.replace(path=path, query=""))


def _page(status: int, title: str, text: str) -> HTMLResponse:
    return HTMLResponse(status_code=status, content="<!doctype html><title>%s</title><h1>%s</h1><p>%s</p>" % (
        html.escape(title), html.escape(title), html.escape(text)))
