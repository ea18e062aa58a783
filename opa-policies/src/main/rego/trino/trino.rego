# Who may do what in the platform's Trino. Trino's OPA access control asks (etc/access-control.properties):
#   opa.policy.uri                 /v1/data/trino/allow         one operation on one resource
#   opa.policy.batched-uri         /v1/data/trino/batch         which of input.action.filterResources to keep
#   opa.policy.row-filters-uri     /v1/data/trino/row_filters   WHERE expressions for a table
#   opa.policy.column-masking-uri  /v1/data/trino/column_mask   an expression in place of a column
# The user and groups are input.context.identity (groups: the token's groups claim or the group provider).
# What the rules name (teams, curated schemas, filtered tables, MSISDN columns) is data.platform (platform/data.json).
package trino

import data.platform
import data.teams

default allow := false

identity := input.context.identity

groups := {group | some group in identity.groups}

is_admin if platform.admin_group in groups

team_schemas := teams.schemas(groups)

owns_schema(schema) if teams.owns(groups, schema)

curated_role(schema, role) if teams.curated_role(groups, schema, role)

catalog_visible("system")

catalog_visible(catalog) if catalog in platform.open_catalogs

catalog_visible(catalog) if {
	catalog in platform.team_catalogs
	count(team_schemas) > 0
}

catalog_visible(catalog) if {
	catalog in platform.team_catalogs
	some schema, _ in platform.curated
	curated_role(schema, "readers")
}

catalog_visible(catalog) if {
	catalog in platform.team_catalogs
	some schema, _ in platform.curated
	curated_role(schema, "writers")
}

writes_schema(catalog, schema) if {
	catalog in platform.team_catalogs
	owns_schema(schema)
}

writes_schema(catalog, schema) if {
	catalog in platform.team_catalogs
	curated_role(schema, "writers")
}

reads_schema(catalog, schema) if writes_schema(catalog, schema)

reads_schema(catalog, schema) if {
	catalog in platform.team_catalogs
	curated_role(schema, "readers")
}

reads_schema(catalog, "information_schema") if catalog_visible(catalog)

reads_schema(catalog, _) if catalog in platform.open_catalogs

# The system catalog: what JDBC/ODBC drivers and the CLI need for everyone, the rest (runtime: nodes, queries,
# tasks) for admins and the monitoring users.
reads_schema("system", schema) if schema in platform.system_schemas_for_everyone

reads_schema("system", _) if identity.user in platform.monitoring_users

# --- One operation on one resource ---------------------------------------------------------------------------------

allow if is_admin

# Some operations (ExecuteQuery, ReadSystemInformation) name no resource.
allow if permitted(input.action.operation, object.get(input.action, "resource", {}))

allow if renamed(input.action.operation, input.action.resource, input.action.targetResource)

permitted("ExecuteQuery", _)

permitted("SetSystemSessionProperty", _)

# Queries of one's own; admins see and kill all (allow above).
permitted(operation, resource) if {
	operation in {"ViewQueryOwnedBy", "FilterViewQueryOwnedBy", "KillQueryOwnedBy"}
	resource.user.user == identity.user
}

permitted(operation, resource) if {
	operation in {"AccessCatalog", "FilterCatalogs", "ShowSchemas"}
	catalog_visible(resource.catalog.name)
}

permitted("SetCatalogSessionProperty", resource) if catalog_visible(resource.catalogSessionProperty.catalogName)

permitted(operation, resource) if {
	operation in {"FilterSchemas", "ShowCreateSchema", "ShowTables", "ShowFunctions"}
	reads_schema(resource.schema.catalogName, resource.schema.schemaName)
}

permitted(operation, resource) if {
	operation in {"CreateSchema", "DropSchema"}
	resource.schema.catalogName in platform.team_catalogs
	owns_schema(resource.schema.schemaName)
}

permitted(operation, resource) if {
	operation in read_table_operations
	reads_schema(resource.table.catalogName, resource.table.schemaName)
}

permitted(operation, resource) if {
	operation in write_table_operations
	writes_schema(resource.table.catalogName, resource.table.schemaName)
}

# Functions: the built-in ones (and the platform's, like mask_msisdn) for everyone; a catalog's in schemas one reads.
permitted(operation, resource) if {
	operation in {"ExecuteFunction", "CreateViewWithExecuteFunction", "FilterFunctions", "ShowCreateFunction"}
	resource.function.catalogName == "system"
}

permitted(operation, resource) if {
	operation in {"ExecuteFunction", "CreateViewWithExecuteFunction", "FilterFunctions", "ShowCreateFunction"}
	reads_schema(resource.function.catalogName, resource.function.schemaName)
}

# Connector procedures (e.g. Iceberg's) on a team's own schemas.
permitted("ExecuteProcedure", resource) if writes_schema(resource.function.catalogName, resource.function.schemaName)

read_table_operations := {
	"FilterTables", "FilterColumns", "ShowColumns", "ShowCreateTable", "SelectFromColumns",
	"CreateViewWithSelectFromColumns",
}

write_table_operations := {
	"CreateTable", "DropTable", "InsertIntoTable", "DeleteFromTable", "TruncateTable", "UpdateTableColumns",
	"AddColumn", "AlterColumn", "DropColumn", "RenameColumn", "SetTableComment", "SetColumnComment",
	"SetTableProperties", "CreateView", "DropView", "SetViewComment", "CreateMaterializedView",
	"RefreshMaterializedView", "DropMaterializedView", "SetMaterializedViewProperties", "SetMaterializedViewComment",
	"ExecuteTableProcedure",
}

renamed("RenameSchema", resource, target) if {
	permitted("DropSchema", resource)
	permitted("CreateSchema", target)
}

renamed(operation, resource, target) if {
	operation in {"RenameTable", "RenameView", "RenameMaterializedView"}
	writes_schema(resource.table.catalogName, resource.table.schemaName)
	writes_schema(target.table.catalogName, target.table.schemaName)
}

# --- Filtering many resources in one request (the indices of those kept) ------------------------------------------

batch contains index if {
	some index, _ in input.action.filterResources
	is_admin
}

batch contains index if {
	input.action.operation != "FilterColumns"
	some index, resource in input.action.filterResources
	permitted(input.action.operation, resource)
}

# FilterColumns sends one table with its columns; the indices are the columns'.
batch contains index if {
	input.action.operation == "FilterColumns"
	table := input.action.filterResources[0].table
	reads_schema(table.catalogName, table.schemaName)
	some index, _ in table.columns
}

# --- Row filters ---------------------------------------------------------------------------------------------------

# A table of data.platform.row_filters shows a reader the rows of the regions their groups name (region-north:
# region = 'north'); none: no rows. Admins and the table's exempt groups (its writers) see every row.
row_filters contains {"expression": expression} if {
	not is_admin
	table := input.action.resource.table
	filter := platform.row_filters[concat(".", [table.catalogName, table.schemaName, table.tableName])]
	not exempt(filter)
	expression := region_expression(filter)
}

exempt(filter) if {
	some group in filter.exempt_groups
	group in groups
}

region_expression(filter) := "false" if {
	count(regions(filter)) == 0
}

region_expression(filter) := sprintf("%s IN (%s)", [quote_identifier(filter.column), concat(", ", values)]) if {
	count(regions(filter)) > 0
	values := sort([sprintf("'%s'", [replace(region, "'", "''")]) | some region in regions(filter)])
}

regions(filter) := {trim_prefix(group, filter.group_prefix) |
	some group in groups
	startswith(group, filter.group_prefix)
}

# --- Column masks --------------------------------------------------------------------------------------------------

# MSISDNs (the columns data.platform.msisdn.columns names, character types) go through mask_msisdn for those who
# only read the table, unless one of their groups may see them. Those who write the schema (its team, admins) see
# them: Trino refuses an INSERT into a table with a column mask, and a pipeline must write the real numbers.
column_mask := {"expression": sprintf("mask_msisdn(%s)", [quote_identifier(column.columnName)])} if {
	column := input.action.resource.column
	column.catalogName in platform.team_catalogs
	column.columnName in platform.msisdn.columns
	startswith(column.columnType, "varchar")
	not msisdn_reader
	not is_admin
	not writes_schema(column.catalogName, column.schemaName)
}

msisdn_reader if {
	some group in platform.msisdn.reader_groups
	group in groups
}

quote_identifier(name) := sprintf("\"%s\"", [replace(name, "\"", "\"\"")])
