# What the NameNode may let users do (hdfs-opa-authorizer asks POST /v1/data/hdfs/decision for each access):
#   input: {"user": "etl", "groups": [...], "path": "/warehouse/x", "child": "", "actions": ["read", "execute"],
#           "recursive": false}
#   actions: read, write, execute, or owner (setting permissions, owner, times)
#   child: for an access to a directory on the way to the operation's path, the name below it (mkdirs
#          /warehouse/sales/t asks for write on /warehouse with child "sales"); "" otherwise
# Users reach the warehouse as themselves: Trino impersonates its users (the NameNode's proxy-user rules), Spark jobs
# log in with their own principal. No service has rights of its own here.
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

# Anyone may list and traverse the warehouse root (schema names are not secret).
allowed if {
	input.path == warehouse
	reading
}

# In the root, a team creates, renames and removes the directories of its own schemas, and a curated schema's writers
# that schema's; nothing else is written there but by the superuser.
allowed if {
	input.path == warehouse
	teams.owns(groups, input.child)
}

allowed if {
	input.path == warehouse
	teams.curated_role(groups, input.child, "writers")
}

# A team's schemas: everything, the owner's rights included.
allowed if teams.owns(groups, schema)

allowed if teams.curated_role(groups, schema, "writers")

allowed if {
	teams.curated_role(groups, schema, "readers")
	reading
}
