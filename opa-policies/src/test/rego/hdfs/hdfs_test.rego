package hdfs_test

import data.hdfs

decision(user, groups, path, actions) := answer if {
	answer := hdfs.decision with input as {
		"user": user, "groups": groups, "path": path, "child": "",
		"actions": actions, "recursive": false,
	}
}

# An access to path on the way to its child (a parent's or an ancestor's access).
decision_for(user, groups, path, child, actions) := answer if {
	answer := hdfs.decision with input as {
		"user": user, "groups": groups, "path": path, "child": child,
		"actions": actions, "recursive": false,
	}
}

test_outside_the_warehouse_hdfs_permissions_decide if {
	decision("etl", ["team-data-engineering"], "/user/etl/x", ["write"]) == "permissions"
	decision("carol", [], "/tmp", ["write"]) == "permissions"
	decision("etl", ["team-data-engineering"], "/warehousex", ["read"]) == "permissions"
}

test_a_team_does_everything_in_its_schemas if {
	decision("etl", ["team-data-engineering"], "/warehouse/data_engineering/orders/data/f.parquet", ["write"]) == "allow"
	decision("etl", ["team-data-engineering"], "/warehouse/data_engineering_side/t", ["read", "write", "execute"]) == "allow"
	decision("etl", ["team-data-engineering"], "/warehouse/data_engineering", ["owner"]) == "allow"
	decision("bob", ["team-network-planning"], "/warehouse/data_engineering/orders", ["read"]) == "deny"
	decision("bob", ["team-network-planning"], "/warehouse/data_engineering/orders", ["execute"]) == "deny"
}

test_the_warehouse_root_is_listed_by_anyone_written_by_no_one if {
	decision("carol", [], "/warehouse", ["read", "execute"]) == "allow"
	decision("etl", ["team-data-engineering"], "/warehouse", ["write"]) == "deny"
	decision("etl", ["team-data-engineering"], "/warehouse", ["owner"]) == "deny"
}

test_curated_is_read_by_analysts_written_by_its_writers if {
	decision("alice", ["analysts"], "/warehouse/curated/subscribers/f", ["read"]) == "allow"
	decision("alice", ["analysts"], "/warehouse/curated/subscribers", ["read", "execute"]) == "allow"
	decision("alice", ["analysts"], "/warehouse/curated/subscribers/f", ["write"]) == "deny"
	decision("alice", ["analysts"], "/warehouse/curated", ["owner"]) == "deny"
	decision("etl", ["team-data-engineering"], "/warehouse/curated/subscribers/f", ["write"]) == "allow"
	decision("carol", [], "/warehouse/curated/subscribers/f", ["read"]) == "deny"
}

test_a_team_creates_and_removes_its_schemas_directories_in_the_root if {
	decision_for("etl", ["team-data-engineering"], "/warehouse", "data_engineering", ["write", "execute"]) == "allow"
	decision_for("etl", ["team-data-engineering"], "/warehouse", "data_engineering_side", ["write"]) == "allow"
	decision_for("etl", ["team-data-engineering"], "/warehouse", "curated", ["write", "execute"]) == "allow"
	decision_for("bob", ["team-network-planning"], "/warehouse", "data_engineering", ["write"]) == "deny"
	decision_for("alice", ["analysts"], "/warehouse", "curated", ["write"]) == "deny"
	decision_for("etl", ["team-data-engineering"], "/warehouse", "", ["write"]) == "deny"
}

test_services_have_no_rights_of_their_own if {
	# Trino reaches HDFS as its users (impersonation); its own principal is nobody in the warehouse.
	decision("trino", [], "/warehouse/curated/subscribers/f", ["read"]) == "deny"
	decision_for("trino", [], "/warehouse", "curated", ["write"]) == "deny"
	decision("trino", [], "/warehouse", ["read", "execute"]) == "allow"
}
