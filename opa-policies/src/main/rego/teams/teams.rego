# What the lakehouse's names mean, for every engine's policies (trino, hdfs): which schemas a user's groups own, and
# who reads or writes the curated schemas (data.platform.curated).
package teams

import data.platform

# A team group (team-network-planning) owns the schemas named after the team: network_planning, network_planning_*.
schemas(groups) := {replace(trim_prefix(group, platform.team_group_prefix), "-", "_") |
	some group in groups
	startswith(group, platform.team_group_prefix)
}

owns(groups, schema) if schema in schemas(groups)

owns(groups, schema) if {
	some prefix in schemas(groups)
	startswith(schema, concat("", [prefix, "_"]))
}

# role: readers or writers.
curated_role(groups, schema, role) if {
	some group in platform.curated[schema][role]
	group in groups
}
