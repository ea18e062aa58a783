"""Logging in to a team's Airflow through the platform's identity provider: OpenID Connect's authorization-code flow,
and who may use this Airflow, decided by the groups the identity provider says the user is in.

Nothing here imports Airflow: the auth manager (:mod:`dataplatform_airflow.auth_manager`) drives it from its login
routes. ``requests`` and PyJWT (both in the Airflow image) are imported where the flow talks to the identity
provider, so the rules (groups → role, the signed login state) are tested on any Python.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode

#: Every right in this Airflow: DAGs, runs, connections, variables, pools, configuration.
USER = "user"
#: Reading only (GET of every resource).
VIEWER = "viewer"


class LoginFailed(Exception):
    """The login flow could not complete (a stale or forged state, the identity provider's error, a bad token)."""


class LoginRefused(Exception):
    """The identity provider vouched for the user, but none of their groups may use this Airflow."""


@dataclass(frozen=True)
class Access:
    """Which groups of the identity provider may use this Airflow, and how."""

    user_groups: tuple[str, ...]
    viewer_groups: tuple[str, ...] = ()

    @staticmethod
    def parse(user_groups: str | None, viewer_groups: str | None = None) -> Access:
        """From comma-separated lists, as the configuration holds them (at least one user group)."""
        users = tuple(group.strip() for group in (user_groups or "").split(",") if group.strip())
        viewers = tuple(group.strip() for group in (viewer_groups or "").split(",") if group.strip())
        if not users:
            raise ValueError("no group may use this Airflow: user_groups is empty")
        return Access(users, viewers)

    def role(self, groups) -> str | None:
        """The role of a member of ``groups``: the widest any of them grants, None when none is listed."""
        groups = set(groups or ())
        if groups.intersection(self.user_groups):
            return USER
        if groups.intersection(self.viewer_groups):
            return VIEWER
        return None

    def refusal(self, user: str, groups) -> str:
        listed = ", ".join(self.user_groups + self.viewer_groups)
        held = ", ".join(sorted(groups or ())) or "none"
        return f"{user} may not use this Airflow: it is for the groups {listed}; {user}'s groups: {held}"

    @staticmethod
    def allows(role: str, method: str) -> bool:
        """Whether ``role`` may do ``method`` (an HTTP-like verb: GET, POST, PUT, DELETE, or a custom action)."""
        return role == USER or (role == VIEWER and str(method) == "GET")


class LoginState:
    """
    The ``state`` of one login and the browser's proof that it started it: a cookie holding the state, the ID token's
    nonce and the page to return to, signed with the api-server's secret key and valid for ``lifetime`` seconds.
    """

    def __init__(self, secret: str, lifetime: int = 600, clock=time.time):
        if not secret:
            raise ValueError("the login state needs a secret key ([api] secret_key)")
        self._key = hashlib.sha256(("dataplatform-login:" + secret).encode()).digest()
        self._lifetime = lifetime
        self._clock = clock

    def issue(self, next_url: str | None) -> tuple[str, str, str]:
        """A new login: (state, nonce, the cookie's value)."""
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        payload = json.dumps({"state": state, "nonce": nonce, "next": next_url or "", "at": int(self._clock())},
                             separators=(",", ":")).encode()
        body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        return state, nonce, body + "." + self._sign(body)

    def check(self, cookie: str | None, state: str | None) -> tuple[str, str]:
        """The nonce and the page to return to of the login ``state`` came back with; LoginFailed if it is not ours."""
        if not cookie or "." not in cookie:
            raise LoginFailed("no login in progress in this browser (its login cookie is missing): start again")
        body, signature = cookie.rsplit(".", 1)
        if not hmac.compare_digest(signature, self._sign(body)):
            raise LoginFailed("the login cookie was not issued by this Airflow: start again")
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        if self._clock() - payload["at"] > self._lifetime:
            raise LoginFailed(f"the login took longer than {self._lifetime} s: start again")
        if not state or not hmac.compare_digest(str(state), payload["state"]):
            raise LoginFailed("the identity provider returned another login's state: start again")
        return payload["nonce"], payload["next"]

    def _sign(self, body: str) -> str:
        digest = hmac.new(self._key, body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class IdentityProvider:
    """The platform realm as an OpenID Connect provider, found from its issuer URL (discovery), for one client."""

    def __init__(self, issuer: str, client_id: str, client_secret: str, timeout: float = 10):
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self._client_secret = client_secret
        self._timeout = timeout
        self._metadata = None
        self._keys = None

    def metadata(self) -> dict:
        if self._metadata is None:
            import requests

            url = self.issuer + "/.well-known/openid-configuration"
            try:
                response = requests.get(url, timeout=self._timeout)
                response.raise_for_status()
                self._metadata = response.json()
            except requests.RequestException as e:
                raise LoginFailed(f"the identity provider's discovery document {url} cannot be read: {e}") from e
        return self._metadata

    def authorization_url(self, redirect_uri: str, state: str, nonce: str) -> str:
        query = urlencode({"response_type": "code", "client_id": self.client_id, "redirect_uri": redirect_uri,
                           "scope": "openid profile", "state": state, "nonce": nonce})
        return self.metadata()["authorization_endpoint"] + "?" + query

    def logout_url(self) -> str | None:
        endpoint = self.metadata().get("end_session_endpoint")
        return endpoint + "?" + urlencode({"client_id": self.client_id}) if endpoint else None

    def claims(self, code: str, redirect_uri: str, nonce: str) -> dict:
        """The verified claims of the ID token the identity provider gives for ``code``."""
        import jwt
        import requests

        endpoint = self.metadata()["token_endpoint"]
        try:
            response = requests.post(endpoint, timeout=self._timeout, auth=(self.client_id, self._client_secret),
                                     data={"grant_type": "authorization_code", "code": code,
                                           "redirect_uri": redirect_uri})
        except requests.RequestException as e:
            raise LoginFailed(f"the identity provider's token endpoint {endpoint} cannot be reached: {e}") from e
        if response.status_code != 200:
            raise LoginFailed(f"the identity provider refused the login code ({endpoint}: {response.status_code} "
                              f"{response.text[:300]})")
        token = response.json().get("id_token")
        if not token:
            raise LoginFailed(f"the identity provider's answer has no ID token ({endpoint})")
        if self._keys is None:
            self._keys = jwt.PyJWKClient(self.metadata()["jwks_uri"], timeout=int(self._timeout))
        try:
            key = self._keys.get_signing_key_from_jwt(token)
            claims = jwt.decode(token, key.key, algorithms=["RS256", "ES256", "PS256"], audience=self.client_id,
                                issuer=self.metadata().get("issuer", self.issuer))
        except jwt.PyJWTError as e:
            raise LoginFailed(f"the identity provider's ID token is not valid: {e}") from e
        if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
            raise LoginFailed("the ID token was issued for another login (nonce): start again")
        return claims
