package trino_test

import data.trino

# The people of the tests, as the group provider or the token names them.
engineer := {"user": "erin", "groups": ["team-data-engineering"]}

planner := {"user": "paul", "groups": ["team-network-planning"]}

analyst_north := {"user": "nora", "groups": ["analysts", "region-north"]}

analyst_both := {"user": "bea", "groups": ["analysts", "region-north", "region-south", "msisdn-readers"]}

analyst_nowhere := {"user": "nat", "groups": ["analysts"]}

admin := {"user": "ada", "groups": ["platform-admins"]}

stranger := {"user": "sam", "groups": []}

healthcheck := {"user": "platform-healthcheck", "groups": []}

request(identity, operation, resource) := {"context": {"identity": identity}, "action": {
	"operation": operation,
	"resource": resource,
}}

table(catalog, schema, name) := {"table": {"catalogName": catalog, "schemaName": schema, "tableName": name}}

schema(catalog, name) := {"schema": {"catalogName": catalog, "schemaName": name}}

catalog(name) := {"catalog": {"name": name}}

allowed(identity, operation, resource) if trino.allow with input as request(identity, operation, resource)

test_everyone_may_run_queries if {
	# As Trino asks: no resource at all.
	trino.allow with input as {"context": {"identity": stranger}, "action": {"operation": "ExecuteQuery"}}
	allowed(engineer, "ExecuteQuery", {})
}

test_a_team_uses_its_own_schemas if {
	allowed(engineer, "CreateSchema", schema("lakehouse", "data_engineering_staging"))
	allowed(engineer, "CreateTable", table("lakehouse", "data_engineering", "events"))
	allowed(engineer, "InsertIntoTable", table("lakehouse", "data_engineering", "events"))
	allowed(engineer, "SelectFromColumns", table("lakehouse", "data_engineering", "events"))
	allowed(engineer, "DropTable", table("lakehouse", "data_engineering_staging", "events"))
	allowed(engineer, "DropSchema", schema("lakehouse", "data_engineering_staging"))
	allowed(engineer, "ShowTables", schema("lakehouse", "data_engineering"))
}

test_a_team_does_not_use_another_teams_schemas if {
	not allowed(planner, "SelectFromColumns", table("lakehouse", "data_engineering", "events"))
	not allowed(planner, "InsertIntoTable", table("lakehouse", "data_engineering", "events"))
	not allowed(planner, "DropTable", table("lakehouse", "data_engineering", "events"))
	not allowed(planner, "CreateSchema", schema("lakehouse", "data_engineering"))
	not allowed(planner, "ShowTables", schema("lakehouse", "data_engineering"))
	not allowed(engineer, "CreateSchema", schema("lakehouse", "data_engineeringx"))
}

test_a_team_schema_is_only_in_team_catalogs if {
	not allowed(engineer, "CreateSchema", schema("postgresql", "data_engineering"))
	not allowed(engineer, "CreateTable", table("tpch", "data_engineering", "t"))
}

test_analysts_read_curated_schemas_only if {
	allowed(analyst_north, "SelectFromColumns", table("lakehouse", "curated", "subscribers"))
	allowed(analyst_north, "ShowTables", schema("lakehouse", "curated"))
	not allowed(analyst_north, "InsertIntoTable", table("lakehouse", "curated", "subscribers"))
	not allowed(analyst_north, "DropTable", table("lakehouse", "curated", "subscribers"))
	not allowed(analyst_north, "CreateTable", table("lakehouse", "curated", "mine"))
	not allowed(analyst_north, "SelectFromColumns", table("lakehouse", "data_engineering", "events"))
	not allowed(analyst_north, "CreateSchema", schema("lakehouse", "analysts"))
}

test_curated_writers_need_no_team if {
	curators := {"user": "cal", "groups": ["curators"]}
	allowed(curators, "AccessCatalog", catalog("lakehouse")) with data.platform.curated as {"curated": {"writers": ["curators"]}}
	allowed(curators, "InsertIntoTable", table("lakehouse", "curated", "x")) with data.platform.curated as {"curated": {"writers": ["curators"]}}
}

test_curated_writers_write_curated if {
	allowed(engineer, "InsertIntoTable", table("lakehouse", "curated", "subscribers"))
	allowed(engineer, "CreateTable", table("lakehouse", "curated", "cells"))
	not allowed(engineer, "DropSchema", schema("lakehouse", "curated"))
}

test_catalogs if {
	allowed(stranger, "AccessCatalog", catalog("system"))
	allowed(stranger, "AccessCatalog", catalog("tpch"))
	not allowed(stranger, "AccessCatalog", catalog("lakehouse"))
	allowed(engineer, "AccessCatalog", catalog("lakehouse"))
	allowed(analyst_nowhere, "ShowSchemas", catalog("lakehouse"))
	not allowed(engineer, "AccessCatalog", catalog("postgresql"))
	allowed(engineer, "SetCatalogSessionProperty", {"catalogSessionProperty": {
		"catalogName": "lakehouse",
		"propertyName": "x",
	}})
	not allowed(stranger, "SetCatalogSessionProperty", {"catalogSessionProperty": {
		"catalogName": "lakehouse",
		"propertyName": "x",
	}})
	allowed(stranger, "SetSystemSessionProperty", {"systemSessionProperty": {"name": "query_max_run_time"}})
}

test_information_schema_of_visible_catalogs if {
	allowed(engineer, "SelectFromColumns", table("lakehouse", "information_schema", "tables"))
	not allowed(stranger, "SelectFromColumns", table("lakehouse", "information_schema", "tables"))
	allowed(stranger, "SelectFromColumns", table("tpch", "tiny", "nation"))
}

test_system_tables if {
	allowed(stranger, "SelectFromColumns", table("system", "jdbc", "tables"))
	allowed(stranger, "SelectFromColumns", table("system", "metadata", "catalogs"))
	not allowed(engineer, "SelectFromColumns", table("system", "runtime", "nodes"))
	allowed(healthcheck, "SelectFromColumns", table("system", "runtime", "nodes"))
	allowed(admin, "SelectFromColumns", table("system", "runtime", "queries"))
	not trino.allow with input as {"context": {"identity": engineer}, "action": {"operation": "ReadSystemInformation"}}
	trino.allow with input as {"context": {"identity": admin}, "action": {"operation": "ReadSystemInformation"}}
	not allowed(engineer, "WriteSystemInformation", {})
}

test_admins_do_what_the_platform_needs if {
	allowed(admin, "CreateSchema", schema("lakehouse", "anything"))
	allowed(admin, "DropTable", table("lakehouse", "data_engineering", "events"))
	allowed(admin, "ImpersonateUser", {"user": {"user": "erin"}})
	allowed(admin, "CreateCatalog", catalog("new"))
	not allowed(engineer, "ImpersonateUser", {"user": {"user": "ada"}})
	not allowed(engineer, "CreateCatalog", catalog("new"))
}

test_queries_of_ones_own if {
	allowed(engineer, "ViewQueryOwnedBy", {"user": {"user": "erin"}})
	allowed(engineer, "KillQueryOwnedBy", {"user": {"user": "erin"}})
	not allowed(engineer, "KillQueryOwnedBy", {"user": {"user": "paul"}})
	allowed(admin, "KillQueryOwnedBy", {"user": {"user": "paul"}})
}

test_functions_and_procedures if {
	allowed(stranger, "ExecuteFunction", {"function": {
		"catalogName": "system",
		"schemaName": "builtin",
		"functionName": "mask_msisdn",
	}})
	allowed(engineer, "ExecuteFunction", {"function": {
		"catalogName": "lakehouse",
		"schemaName": "data_engineering",
		"functionName": "f",
	}})
	not allowed(planner, "ExecuteFunction", {"function": {
		"catalogName": "lakehouse",
		"schemaName": "data_engineering",
		"functionName": "f",
	}})
	allowed(engineer, "ExecuteProcedure", {"function": {
		"catalogName": "lakehouse",
		"schemaName": "data_engineering",
		"functionName": "expire",
	}})
	not allowed(engineer, "ExecuteProcedure", {"function": {
		"catalogName": "lakehouse",
		"schemaName": "system",
		"functionName": "register_table",
	}})
}

test_renames_stay_within_what_one_writes if {
	trino.allow with input as {"context": {"identity": engineer}, "action": {
		"operation": "RenameTable",
		"resource": table("lakehouse", "data_engineering", "a"),
		"targetResource": table("lakehouse", "data_engineering_staging", "b"),
	}}
	not trino.allow with input as {"context": {"identity": engineer}, "action": {
		"operation": "RenameTable",
		"resource": table("lakehouse", "data_engineering", "a"),
		"targetResource": table("lakehouse", "network_planning", "b"),
	}}
	trino.allow with input as {"context": {"identity": engineer}, "action": {
		"operation": "RenameSchema",
		"resource": schema("lakehouse", "data_engineering_a"),
		"targetResource": schema("lakehouse", "data_engineering_b"),
	}}
	not trino.allow with input as {"context": {"identity": engineer}, "action": {
		"operation": "RenameSchema",
		"resource": schema("lakehouse", "data_engineering_a"),
		"targetResource": schema("lakehouse", "curated"),
	}}
}

test_unknown_operations_are_denied if {
	not allowed(engineer, "SomethingNew", table("lakehouse", "data_engineering", "events"))
}

filtered(identity, operation, resources) := kept if {
	kept := trino.batch with input as {"context": {"identity": identity}, "action": {
		"operation": operation,
		"filterResources": resources,
	}}
}

test_batch_filters_schemas_and_tables if {
	resources := [
		schema("lakehouse", "data_engineering"), schema("lakehouse", "curated"),
		schema("lakehouse", "network_planning"), schema("lakehouse", "information_schema"),
	]
	filtered(engineer, "FilterSchemas", resources) == {0, 1, 3}
	filtered(analyst_north, "FilterSchemas", resources) == {1, 3}
	filtered(stranger, "FilterSchemas", resources) == set()
	filtered(admin, "FilterSchemas", resources) == {0, 1, 2, 3}
	filtered(analyst_north, "FilterTables", [
		table("lakehouse", "curated", "subscribers"),
		table("lakehouse", "data_engineering", "events"),
	]) == {0}
	filtered(stranger, "FilterCatalogs", [catalog("lakehouse"), catalog("system"), catalog("tpch")]) == {1, 2}
}

test_batch_filters_columns_of_one_table if {
	columns := [{"table": {
		"catalogName": "lakehouse", "schemaName": "curated", "tableName": "subscribers",
		"columns": ["msisdn", "region", "plan"],
	}}]
	filtered(analyst_north, "FilterColumns", columns) == {0, 1, 2}
	filtered(planner, "FilterColumns", columns) == set()
}

row_filters(identity, resource) := filters if {
	filters := trino.row_filters with input as request(identity, "GetRowFilters", resource)
}

test_analysts_see_their_regions_rows if {
	row_filters(analyst_north, table("lakehouse", "curated", "subscribers")) == {{"expression": "\"region\" IN ('north')"}}
	row_filters(analyst_both, table("lakehouse", "curated", "subscribers")) == {{"expression": "\"region\" IN ('north', 'south')"}}
	row_filters(analyst_nowhere, table("lakehouse", "curated", "subscribers")) == {{"expression": "false"}}
}

test_no_row_filter_for_writers_admins_and_other_tables if {
	row_filters(engineer, table("lakehouse", "curated", "subscribers")) == set()
	row_filters(admin, table("lakehouse", "curated", "subscribers")) == set()
	row_filters(analyst_north, table("lakehouse", "curated", "cells")) == set()
}

mask(identity, name, type) := expression if {
	expression := trino.column_mask with input as request(identity, "GetColumnMask", {"column": {
		"catalogName": "lakehouse", "schemaName": "curated", "tableName": "subscribers",
		"columnName": name, "columnType": type,
	}})
}

test_writers_see_the_msisdns_they_write if {
	not mask(engineer, "msisdn", "varchar")
	not mask(admin, "msisdn", "varchar")
}

test_msisdns_are_masked_unless_the_group_may_see_them if {
	mask(analyst_north, "msisdn", "varchar") == {"expression": "mask_msisdn(\"msisdn\")"}
	mask(analyst_north, "calling_msisdn", "varchar(20)") == {"expression": "mask_msisdn(\"calling_msisdn\")"}
	not mask(analyst_both, "msisdn", "varchar")
	not mask(analyst_north, "region", "varchar")
	not mask(analyst_north, "msisdn", "bigint")
}
