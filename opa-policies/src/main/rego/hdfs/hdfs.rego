# What the NameNode may let users do (hdfs-opa-authorizer asks POST /v1/data/hdfs/decision for each access):
#   input: {"user": "etl", "groups": [...], "path": "/warehouse/x", "actions": ["read", "execute"], "recursive": false}
#   actions: read, write, execute, or owner (setting permissions, owner, times)
#   answer: "allow", "deny", or "permissions" (not the policies' path: HDFS permissions and ACLs decide)
# The warehouse (data.platform.hdfs.warehouse) is the policies'. Its layout is the Iceberg catalog's:
# <warehouse>/<schema>/<table>/..., so the rules are those of Trino's policies, by schema.
package hdfs

import data.platform
import data.teams

default decision := "permissions"

decision := "allow" if {
	governed
	allowed
}

decision := "deny" if {
	governed
	not allowed
}

warehouse := platform.hdfs.warehouse

groups := {group | some group in input.groups}

governed if input.path == warehouse

governed if startswith(input.path, concat("", [warehouse, "/"]))

schema := split(trim_prefix(input.path, concat("", [warehouse, "/"])), "/")[0] if input.path != warehouse

reading if {
	every action in input.actions {
		action in {"read", "execute"}
	}
}

# The platform's services that authorise their users themselves (Trino: OPA's trino policies).
allowed if input.user in platform.hdfs.service_users

# Anyone may list and traverse the warehouse root (schema names are not secret); only the superuser writes there.
allowed if {
	input.path == warehouse
	reading
}

# A team's schemas: everything, the owner's rights included.
allowed if teams.owns(groups, schema)

allowed if teams.curated_role(groups, schema, "writers")

allowed if {
	teams.curated_role(groups, schema, "readers")
	reading
}
