package io.dataplatform.trino.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.trino.spi.eventlistener.QueryCompletedEvent;
import io.trino.spi.eventlistener.QueryContext;
import io.trino.spi.eventlistener.QueryCreatedEvent;
import io.trino.spi.eventlistener.QueryInputMetadata;
import io.trino.spi.eventlistener.QueryOutputMetadata;

import static java.util.Objects.requireNonNull;

/**
 * One audit line. Field names are the contract with whoever reads the audit log (SIEM, retention jobs): add fields,
 * never rename them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = false)
public record AuditRecord(
        String event,
        String queryId,
        String createTime,
        String endTime,
        String user,
        String principal,
        Set<String> groups,
        String source,
        String clientInfo,
        String remoteClientAddress,
        String catalog,
        String schema,
        String queryType,
        String state,
        String query,
        List<TableAccess> read,
        TableAccess written,
        String errorCode,
        String errorType,
        String failureMessage,
        Long wallTimeMillis,
        Long cpuTimeMillis,
        Long queuedTimeMillis,
        Long outputRows,
        Long outputBytes,
        Long physicalInputRows,
        Long physicalInputBytes,
        Long writtenRows,
        Long writtenBytes,
        Long peakMemoryBytes,
        String serverVersion) {
    public AuditRecord {
        requireNonNull(event, "event is null");
        requireNonNull(queryId, "queryId is null");
    }

    /** A table read or written, with its columns. */
    public record TableAccess(String catalog, String schema, String table, List<String> columns) {}

    /**
     * The record with the string and number literals of its SQL and of its failure message (which often quotes
     * them: "Cannot cast '0612345678' to INT") replaced by {@code ?}.
     */
    AuditRecord withLiteralsRedacted() {
        return new AuditRecord(event, queryId, createTime, endTime, user, principal, groups, source, clientInfo,
                remoteClientAddress, catalog, schema, queryType, state, redact(query), read, written, errorCode,
                errorType, redact(failureMessage), wallTimeMillis, cpuTimeMillis, queuedTimeMillis, outputRows,
                outputBytes, physicalInputRows, physicalInputBytes, writtenRows, writtenBytes, peakMemoryBytes,
                serverVersion);
    }

    private static String redact(String text) {
        return text == null ? null : SqlLiteralRedactor.redact(text);
    }

    static AuditRecord created(QueryCreatedEvent event) {
        QueryContext context = event.getContext();
        return new AuditRecord("created", event.getMetadata().getQueryId(), time(event.getCreateTime()), null,
                context.getUser(), context.getPrincipal().orElse(null), new TreeSet<>(context.getGroups()),
                context.getSource().orElse(null), context.getClientInfo().orElse(null),
                context.getRemoteClientAddress().orElse(null), context.getCatalog().orElse(null),
                context.getSchema().orElse(null), context.getQueryType().map(Enum::name).orElse(null),
                event.getMetadata().getQueryState(), event.getMetadata().getQuery(), null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, context.getServerVersion());
    }

    static AuditRecord completed(QueryCompletedEvent event) {
        QueryContext context = event.getContext();
        var statistics = event.getStatistics();
        List<TableAccess> read = new ArrayList<>();
        for (QueryInputMetadata input : event.getIoMetadata().getInputs()) {
            read.add(new TableAccess(input.getCatalogName(), input.getSchema(), input.getTable(),
                    input.getColumns().stream().map(QueryInputMetadata.Column::name).toList()));
        }
        TableAccess written = event.getIoMetadata().getOutput().map(AuditRecord::written).orElse(null);
        var failure = event.getFailureInfo();
        return new AuditRecord("completed", event.getMetadata().getQueryId(), time(event.getCreateTime()),
                time(event.getEndTime()), context.getUser(), context.getPrincipal().orElse(null),
                new TreeSet<>(context.getGroups()), context.getSource().orElse(null),
                context.getClientInfo().orElse(null), context.getRemoteClientAddress().orElse(null),
                context.getCatalog().orElse(null), context.getSchema().orElse(null),
                context.getQueryType().map(Enum::name).orElse(null), event.getMetadata().getQueryState(),
                event.getMetadata().getQuery(), read, written,
                failure.map(info -> info.getErrorCode().getName()).orElse(null),
                failure.map(info -> info.getErrorCode().getType().name()).orElse(null),
                failure.flatMap(info -> info.getFailureMessage()).orElse(null),
                statistics.getWallTime().toMillis(), statistics.getCpuTime().toMillis(),
                statistics.getQueuedTime().toMillis(), statistics.getOutputRows(), statistics.getOutputBytes(),
                statistics.getPhysicalInputRows(), statistics.getPhysicalInputBytes(), statistics.getWrittenRows(),
                statistics.getWrittenBytes(), statistics.getPeakUserMemoryBytes(), context.getServerVersion());
    }

    private static TableAccess written(QueryOutputMetadata output) {
        List<String> columns = output.getColumns()
                .map(list -> list.stream().map(column -> column.getColumnName()).toList())
                .orElse(List.of());
        return new TableAccess(output.getCatalogName(), output.getSchema(), output.getTable(), columns);
    }

    private static String time(Instant instant) {
        return Optional.ofNullable(instant).map(Instant::toString).orElse(null);
    }
}
