"""The logged-in user's access token, from the hub: what Trino checks (the platform realm signs it).

The hub keeps each user's tokens from the login (auth state, encrypted in its database) and refreshes them when they
are older than its refresh age; the server's own API token may read its user's auth state and nothing more
(``admin:auth_state!user``). So a notebook that runs for hours asks the hub again rather than keeping a token that
expires in minutes.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request

from dataplatform_notebook.errors import ConnectorError
from dataplatform_notebook.settings import HubSettings


class HubIdentity:
    """The user's current access token, asked of the hub at most every ``reuse_seconds``."""

    def __init__(self, hub: HubSettings, reuse_seconds: float = 30.0, opener=urllib.request.urlopen):
        self.hub = hub
        self.reuse_seconds = reuse_seconds
        self._open = opener
        self._token: str | None = None
        self._fetched = 0.0

    @property
    def user(self) -> str:
        return self.hub.user

    def access_token(self) -> str:
        now = time.monotonic()
        if self._token is None or now - self._fetched > self.reuse_seconds:
            self._token = self._fetch()
            self._fetched = now
        return self._token

    def _fetch(self) -> str:
        # The user's model by name: the hub fills in auth_state there (its /user, "who am I", does not).
        url = f"{self.hub.api_url}/users/{urllib.parse.quote(self.hub.user, safe='')}"
        request = urllib.request.Request(url,
                                         headers={"Authorization": f"token {self.hub.token}"})
        try:
            with self._open(request, timeout=10) as response:
                model = json.load(response)
        except urllib.error.HTTPError as error:
            raise ConnectorError(f"the hub refused this server's token ({error.code} from {url}): "
                                 "stop and start your server from the hub's home page") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ConnectorError(f"the hub at {self.hub.api_url} cannot be reached ({reason}), so there is no "
                                 "login token for Trino") from None
        state = model.get("auth_state") or {}
        token = state.get("access_token")
        if not token:
            raise ConnectorError(f"the hub gives {self.hub.user}'s server no login token (no auth_state): log out "
                                 "and in again; if it persists, the hub does not keep auth state (ask the platform "
                                 "team)")
        return token
