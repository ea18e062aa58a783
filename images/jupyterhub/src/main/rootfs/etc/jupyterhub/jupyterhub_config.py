"""The platform's JupyterHub, configured from the environment the launcher has checked (JupyterHubLauncher).

JUPYTERHUB_DB_URL              the hub's database in the platform's PostgreSQL (the launcher builds it, TLS required)
JPY_COOKIE_SECRET              the hub's cookie secret (hex; JupyterHub reads it itself)
JUPYTERHUB_OIDC_ISSUER         the platform realm, e.g. https://sso.operator.example/realms/platform
JUPYTERHUB_OIDC_CLIENT_ID      the realm's client for the hub (default jupyterhub) and its secret:
JUPYTERHUB_OIDC_CLIENT_SECRET
JUPYTERHUB_ALLOWED_GROUPS      the groups (the realm's groups claim) whose members may log in, comma-separated
JUPYTERHUB_ADMIN_GROUPS        the groups whose members administer the hub (optional)
JUPYTERHUB_PUBLIC_URL          where users reach the hub (optional; otherwise the login's callback is the URL the
                               browser used)
"""

import os

c = get_config()  # noqa: F821 (JupyterHub's configuration loader defines it)


def groups(name):
    return {group.strip() for group in os.environ.get(name, "").split(",") if group.strip()}


c.JupyterHub.db_url = os.environ["JUPYTERHUB_DB_URL"]
# Users reach the proxy on 8000; the hub's own API (the proxy, the servers and services talk to it) is on 8081.
c.JupyterHub.bind_url = "http://:8000"
c.JupyterHub.hub_bind_url = "http://:8081"
# Debian's proxy, run by node itself (its script's "#!/usr/bin/env node": the image has no env).
c.ConfigurableHTTPProxy.command = ["/usr/bin/node", "/usr/share/nodejs/configurable-http-proxy/bin/configurable-http-proxy"]
c.ConfigurableHTTPProxy.pid_file = "/tmp/jupyterhub-proxy.pid"
# After the login, the home page (servers to start or open) rather than an immediate spawn.
c.JupyterHub.redirect_to_server = False

# Login through the platform realm (OpenID Connect): the user is the realm's preferred_username, their groups the
# realm's groups claim, kept as the hub's groups (manage_groups) for the environments each group may start.
issuer = os.environ["JUPYTERHUB_OIDC_ISSUER"].rstrip("/")
c.JupyterHub.authenticator_class = "generic-oauth"
login = c.GenericOAuthenticator
login.login_service = "the platform's sign-on"
login.client_id = os.environ.get("JUPYTERHUB_OIDC_CLIENT_ID", "jupyterhub")
login.client_secret = os.environ["JUPYTERHUB_OIDC_CLIENT_SECRET"]
login.authorize_url = issuer + "/protocol/openid-connect/auth"
login.token_url = issuer + "/protocol/openid-connect/token"
login.userdata_url = issuer + "/protocol/openid-connect/userinfo"
login.scope = ["openid", "profile"]
login.username_claim = "preferred_username"
login.manage_groups = True
login.auth_state_groups_key = "oauth_user.groups"
login.allowed_groups = groups("JUPYTERHUB_ALLOWED_GROUPS")
login.admin_groups = groups("JUPYTERHUB_ADMIN_GROUPS")
if os.environ.get("JUPYTERHUB_PUBLIC_URL"):
    login.oauth_callback_url = os.environ["JUPYTERHUB_PUBLIC_URL"].rstrip("/") + "/hub/oauth_callback"

# Notebook servers are pods in the cluster (KubeSpawner).
c.JupyterHub.spawner_class = "kubespawner.KubeSpawner"
