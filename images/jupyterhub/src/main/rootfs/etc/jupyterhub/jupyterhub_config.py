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
JUPYTERHUB_CRYPT_KEY           the key of the users' auth state (their tokens, which the notebooks' connectors ask
                               for: 64 hex digits, a Secret; JupyterHub reads it itself)
NOTEBOOK_ENVIRONMENTS          the environments users pick from (environments.yaml: platform_environments)
NOTEBOOK_IMAGE_REGISTRY        the registry of the notebook and Spark images ('' when the nodes have them)
NOTEBOOK_NAMESPACE             the template of the users' namespaces, e.g. notebooks: each user's servers (and their
                               Spark executors) run in <it>-<username>, prepared from it (platform_namespaces)
NOTEBOOK_NAMESPACE_OBJECTS     what a user's namespace is prepared with: Kind/name[?],... of the template namespace
                               (optional: platform_namespaces.DEFAULT_OBJECTS)
NOTEBOOK_HUB_URL               the hub's API as servers reach it, e.g. http://jupyterhub-api.platform.svc:8081
NOTEBOOK_TRINO_URL             Trino's address for the connectors, e.g. https://trino.platform.svc:8443
NOTEBOOK_CPU_REQUEST, _CPU_LIMIT, _MEMORY_REQUEST, _MEMORY_LIMIT   a server's share (optional)
NOTEBOOK_CULL_IDLE_SECONDS     idle servers are stopped after this long (default 3600)
"""

import os
import sys

import yaml
from kubespawner import KubeSpawner

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


class PlatformSpawner(KubeSpawner):
    """KubeSpawner (configured as c.KubeSpawner below) whose user namespace is created only once her start is
    allowed (check_pod), so a refused start leaves nothing behind, and deleted with the user."""

    async def _ensure_namespace(self):
        pass

    async def ensure_user_namespace(self):
        await KubeSpawner._ensure_namespace(self)

    async def delete_forever(self):
        """The user is deleted from the hub: her namespace goes too (nothing else keeps it)."""
        await super().delete_forever()
        await platform_namespaces.delete(self.api, self.namespace, self.log)


# Notebook servers are pods in the cluster (KubeSpawner).
c.JupyterHub.spawner_class = PlatformSpawner

# The users' tokens stay with the hub (encrypted by JUPYTERHUB_CRYPT_KEY) and are refreshed while they work: a
# notebook's connector asks for its user's current token (dataplatform_notebook.identity) to query Trino as them.
c.Authenticator.enable_auth_state = True
c.Authenticator.auth_refresh_age = 120
login.refresh_pre_spawn = True
# The server's own API token may read its user's auth state, and nothing of anyone else's (a token gets the part of
# these scopes its user holds: the user role, below, holds its own auth state).
c.Spawner.server_token_scopes = ["users:activity!user", "access:servers!server", "read:users:name!user",
                                 "admin:auth_state!user"]

# The environments: what each user is offered, and a check of every start on the server.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import platform_environments  # noqa: E402
import platform_namespaces  # noqa: E402

environments_file = os.environ.get("NOTEBOOK_ENVIRONMENTS", "/etc/jupyterhub/environments/environments.yaml")
with open(environments_file, encoding="utf-8") as stream:
    environments = platform_environments.load(yaml.safe_load(stream), environments_file)
registry = os.environ.get("NOTEBOOK_IMAGE_REGISTRY", "")


def user_groups(spawner):
    return {group.name for group in spawner.user.groups}


async def profile_list(spawner):
    return platform_environments.profiles(environments, user_groups(spawner), registry)


# Each user's servers run in a namespace of her own, prepared from the template namespace before each start.
template_namespace = os.environ.get("NOTEBOOK_NAMESPACE", "notebooks")
namespace_objects = platform_namespaces.parse(os.environ.get("NOTEBOOK_NAMESPACE_OBJECTS",
                                                            platform_namespaces.DEFAULT_OBJECTS))


async def check_pod(spawner, pod):
    """The last word before a server's pod is created (profile overrides applied): may this user run its image? If
    so, her namespace is created if need be and prepared for it."""
    image = pod.spec.containers[0].image
    try:
        platform_environments.check_start(environments, image, spawner.user.name, user_groups(spawner), registry)
    except PermissionError as refusal:
        from tornado import web

        raise web.HTTPError(403, str(refusal)) from None
    await spawner.ensure_user_namespace()
    await platform_namespaces.prepare(spawner.api.api_client, template_namespace, spawner.namespace,
                                      namespace_objects, spawner.log)
    return pod


spawner = c.KubeSpawner
spawner.enable_user_namespaces = True
spawner.user_namespace_template = template_namespace + "-{username}"
spawner.user_namespace_labels = platform_namespaces.NAMESPACE_LABELS
spawner.profile_list = profile_list
spawner.modify_pod_hook = check_pod
# Without a choice (an API start with no options), the first environment.
spawner.image = environments[0].reference(registry)
spawner.hub_connect_url = os.environ.get("NOTEBOOK_HUB_URL", "http://jupyterhub-api.platform.svc:8081")
# The image's launcher checks what the hub hands over, then runs jupyterhub-singleuser.
spawner.cmd = ["server"]
spawner.port = 8888
spawner.uid = 1000
spawner.gid = 1000
spawner.fs_gid = 1000
spawner.image_pull_policy = "IfNotPresent"
spawner.start_timeout = 300
spawner.http_timeout = 120
# The notebook's Spark driver creates its executors as her namespace's Spark account (as a team's drivers do): it may
# create and delete pods in her namespace, and nowhere else.
spawner.service_account = "spark"
spawner.automount_service_account_token = True
spawner.cpu_guarantee = float(os.environ.get("NOTEBOOK_CPU_REQUEST", "0.1"))
spawner.cpu_limit = float(os.environ.get("NOTEBOOK_CPU_LIMIT", "2"))
spawner.mem_guarantee = os.environ.get("NOTEBOOK_MEMORY_REQUEST", "1G")
spawner.mem_limit = os.environ.get("NOTEBOOK_MEMORY_LIMIT", "4G")
spawner.extra_labels = {"app.kubernetes.io/part-of": "platform", "app.kubernetes.io/name": "notebook"}
spawner.environment = {
    "TRINO_URL": os.environ.get("NOTEBOOK_TRINO_URL", "https://trino.platform.svc:8443"),
    "TRINO_CA_BUNDLE": "/etc/platform/ca/ca.crt",
    # The driver pod's name and namespace: its executors are owned by it, so they go when the server goes.
    "POD_NAME": {"valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
    "POD_NAMESPACE": {"valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
}
# The namespace's Spark settings (master, pinned executor image, account), the HDFS/Kerberos client and lakehouse
# variables with the catalog's password (copied from the template: argocd/apps/jupyterhub/notebooks), and the
# platform's CA bundle. Spark reaches HDFS as the user (her Kerberos ticket), never as a service.
spawner.extra_container_config = {"envFrom": [{"configMapRef": {"name": name}}
                                              for name in ("spark-defaults", "hadoop-client", "lakehouse")]
                                  + [{"secretRef": {"name": "lakehouse-catalog", "optional": True}}]}
spawner.volumes = [{"name": "platform-ca", "configMap": {"name": "platform-ca", "optional": True}}]
spawner.volume_mounts = [{"name": "platform-ca", "mountPath": "/etc/platform/ca", "readOnly": True}]
spawner.storage_pvc_ensure = False
# (No volume claims to delete with a user: her namespace goes, PlatformSpawner.delete_forever.)
spawner.delete_pvc = False

# Idle servers are stopped (their Spark drivers and executors with them): the culler runs as a hub service.
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                "--timeout=" + os.environ.get("NOTEBOOK_CULL_IDLE_SECONDS", "3600")],
}]
c.JupyterHub.load_roles = [{
    # Every user may read their own auth state (their own tokens): what their server's token is given (above).
    "name": "user",
    "scopes": ["self", "admin:auth_state!user"],
}, {
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]
