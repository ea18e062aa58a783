package io.dataplatform.spark;

import org.apache.spark.sql.catalyst.analysis.NamedRelation;
import org.apache.spark.sql.catalyst.analysis.ResolvedIdentifier;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.HiveTableRelation;
import org.apache.spark.sql.catalyst.plans.logical.CommandResult;
import org.apache.spark.sql.catalyst.plans.logical.CreateTableAsSelect;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.ReplaceTableAsSelect;
import org.apache.spark.sql.catalyst.plans.logical.V2WriteCommand;
import org.apache.spark.sql.connector.catalog.CatalogPlugin;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.execution.datasources.InsertIntoHadoopFsRelationCommand;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2ScanRelation;
import scala.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The tables a query reads and writes, found in its analyzed logical plan: catalog (DataSource V2, e.g. Iceberg)
 * relations and writes, session-catalog tables, and file paths for path-based reads and writes. Names are
 * {@code catalog.namespace.table}.
 */
record Tables(Set<String> inputs, Set<String> outputs) {
    static final String SESSION_CATALOG = "spark_catalog";

    static Tables of(LogicalPlan plan) {
        Tables tables = new Tables(new TreeSet<>(), new TreeSet<>());
        tables.visit(plan);
        return tables;
    }

    private void visit(LogicalPlan plan) {
        if (plan instanceof CommandResult result) {
            visit(result.commandLogicalPlan());
            return;
        }
        if (plan instanceof V2WriteCommand write) {
            outputs.add(name(write.table()));
            visit(write.query());
            return;
        }
        if (plan instanceof CreateTableAsSelect create) {
            identifierName(create.name()).ifPresent(outputs::add);
            visit(create.query());
            return;
        }
        if (plan instanceof ReplaceTableAsSelect replace) {
            identifierName(replace.name()).ifPresent(outputs::add);
            visit(replace.query());
            return;
        }
        if (plan instanceof InsertIntoHadoopFsRelationCommand insert) {
            outputs.add(insert.catalogTable().isDefined()
                    ? name(insert.catalogTable().get())
                    : "path:" + insert.outputPath());
            visit(insert.query());
            return;
        }
        if (plan instanceof DataSourceV2Relation relation) {
            inputs.add(name(relation));
        }
        else if (plan instanceof DataSourceV2ScanRelation scan) {
            inputs.add(name(scan.relation()));
        }
        else if (plan instanceof LogicalRelation relation) {
            Option<CatalogTable> table = relation.catalogTable();
            inputs.add(table.isDefined() ? name(table.get()) : "relation:" + relation.relation());
        }
        else if (plan instanceof HiveTableRelation hive) {
            inputs.add(name(hive.tableMeta()));
        }
        for (LogicalPlan child : Scala.list(plan.children())) {
            visit(child);
        }
        // Subqueries (IN (SELECT ...), scalar subqueries) hang off expressions, not children.
        for (Object subquery : Scala.list(plan.subqueries())) {
            visit((LogicalPlan) subquery);
        }
    }

    private static String name(NamedRelation relation) {
        if (relation instanceof DataSourceV2Relation v2 && v2.catalog().isDefined() && v2.identifier().isDefined()) {
            return name(v2.catalog().get(), v2.identifier().get());
        }
        return relation.name();
    }

    private static java.util.Optional<String> identifierName(LogicalPlan identifier) {
        if (identifier instanceof ResolvedIdentifier resolved) {
            return java.util.Optional.of(name(resolved.catalog(), resolved.identifier()));
        }
        return java.util.Optional.empty();
    }

    private static String name(CatalogPlugin catalog, Identifier identifier) {
        List<String> parts = new ArrayList<>();
        parts.add(catalog.name());
        parts.addAll(List.of(identifier.namespace()));
        parts.add(identifier.name());
        return String.join(".", parts);
    }

    private static String name(CatalogTable table) {
        String database = table.identifier().database().isDefined() ? table.identifier().database().get() : "default";
        return SESSION_CATALOG + "." + database + "." + table.identifier().table();
    }
}
