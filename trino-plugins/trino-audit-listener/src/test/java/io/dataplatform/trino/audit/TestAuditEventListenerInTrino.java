package io.dataplatform.trino.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trino.plugin.tpch.TpchPlugin;
import io.trino.spi.eventlistener.EventListener;
import io.trino.spi.eventlistener.EventListenerFactory;
import io.trino.testing.StandaloneQueryRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.trino.testing.TestingSession.testSessionBuilder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The listener inside a real engine: what a query and a failed query leave in the audit log. */
class TestAuditEventListenerInTrino {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temporary;

    @Test
    void recordsSuccessfulAndFailedQueries() throws IOException {
        Path auditLog = temporary.resolve("audit.log");
        AuditEventListener listener = (AuditEventListener) new AuditEventListenerFactory().create(Map.of(
                "audit-log.path", auditLog.toString(),
                "audit-log.redact-literals", "true"), new TestingContext());
        try (StandaloneQueryRunner queryRunner = new StandaloneQueryRunner(
                testSessionBuilder().setCatalog("tpch").setSchema("tiny").setSource("test-suite").build(),
                builder -> builder.setEventListeners(List.of(listener)))) {
            queryRunner.installPlugin(new TpchPlugin());
            queryRunner.createCatalog("tpch", "tpch", Map.of());

            queryRunner.execute("SELECT name FROM nation WHERE regionkey = 1");
            assertThatThrownBy(() -> queryRunner.execute("SELECT nationkey / 0 FROM nation"))
                    .hasMessageContaining("Division by zero");
            // The engine's message quotes the literal (an MSISDN here): it is redacted like the SQL.
            assertThatThrownBy(() -> queryRunner.execute("SELECT CAST('0612345678x' AS integer)"))
                    .hasMessageContaining("0612345678x");

            waitFor(() -> listener.getWrittenRecords() >= 6);
        }
        finally {
            listener.shutdown();
        }

        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(auditLog)) {
            records.add(JSON.readTree(line));
        }
        JsonNode finished = completed(records, "FINISHED");
        assertThat(finished.path("user").asText()).isEqualTo("user");
        assertThat(finished.path("source").asText()).isEqualTo("test-suite");
        assertThat(finished.path("query").asText()).isEqualTo("SELECT name FROM nation WHERE regionkey = ?");
        assertThat(finished.path("queryType").asText()).isEqualTo("SELECT");
        assertThat(finished.path("outputRows").asLong()).isEqualTo(5);
        assertThat(finished.path("read").get(0).path("table").asText()).isEqualTo("nation");
        assertThat(finished.path("read").get(0).path("catalog").asText()).isEqualTo("tpch");
        assertThat(finished.path("read").get(0).path("columns").toString()).contains("name", "regionkey");
        assertThat(finished.has("wallTimeMillis")).isTrue();
        assertThat(finished.has("peakMemoryBytes")).isTrue();

        JsonNode failed = completed(records, "FAILED");
        assertThat(failed.path("errorCode").asText()).isEqualTo("DIVISION_BY_ZERO");
        assertThat(failed.path("errorType").asText()).isEqualTo("USER_ERROR");
        assertThat(failed.path("failureMessage").asText()).contains("Division by zero");

        JsonNode cast = records.stream()
                .filter(record -> record.path("event").asText().equals("completed"))
                .filter(record -> record.path("query").asText().contains("CAST"))
                .findFirst().orElseThrow();
        assertThat(cast.path("query").asText()).isEqualTo("SELECT CAST('?' AS integer)");
        assertThat(cast.path("failureMessage").asText()).contains("Cannot cast '?'").doesNotContain("0612345678");
        assertThat(Files.readString(auditLog)).doesNotContain("0612345678");

        assertThat(records).filteredOn(record -> record.path("event").asText().equals("created")).hasSize(3);
        assertThat(listener.getFailures()).isZero();
    }

    @Test
    void aFailingSinkNeverReachesTheEngine() {
        List<String> lines = new ArrayList<>();
        AuditSink broken = new AuditSink() {
            @Override
            public void write(String line) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        AuditSink healthy = new AuditSink() {
            @Override
            public void write(String line) {
                lines.add(line);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        AuditEventListener listener = new AuditEventListener(new AuditConfig().setStdout(true),
                List.of(broken, healthy));
        try (StandaloneQueryRunner queryRunner = new StandaloneQueryRunner(testSessionBuilder().build(),
                builder -> builder.setEventListeners(List.<EventListener>of(listener)))) {
            assertThat(queryRunner.execute("SELECT 1").getOnlyValue()).isEqualTo(1);
            waitFor(() -> listener.getWrittenRecords() >= 2);
        }
        finally {
            listener.shutdown();
        }
        assertThat(listener.getFailures()).isGreaterThanOrEqualTo(2);
        assertThat(lines).hasSize(2);
    }

    @Test
    void aStuckSinkNeitherBlocksQueriesNorLosesCountOfWhatItDropped() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        AuditSink stuck = new AuditSink() {
            @Override
            public void write(String line) throws IOException {
                writing.countDown();
                try {
                    // A sink that hangs (an NFS mount gone away): the writer thread waits here.
                    release.await();
                }
                catch (InterruptedException e) {
                    throw new IOException(e);
                }
                lines.add(line);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        AuditEventListener listener = new AuditEventListener(new AuditConfig().setQueueCapacity(2), List.of(stuck));
        int queries = 10;
        try (StandaloneQueryRunner queryRunner = new StandaloneQueryRunner(testSessionBuilder().build(),
                builder -> builder.setEventListeners(List.<EventListener>of(listener)))) {
            assertThat(queryRunner.execute("SELECT 0").getOnlyValue()).isEqualTo(0);
            writing.await();
            // The writer is stuck in the sink: every query still runs to its result, none waits for the audit.
            for (int i = 1; i < queries; i++) {
                assertThat(queryRunner.execute("SELECT " + i).getOnlyValue()).isEqualTo(i);
            }
            // Created and completed events of every query have reached the listener: what did not fit is counted.
            waitFor(() -> listener.getReceivedRecords() == 2L * queries);
            // At most five are held: one in the stuck write, two drained with it, two in the queue of capacity 2.
            assertThat(listener.getDroppedRecords()).isBetween(2L * queries - 5, 2L * queries - 3);
            assertThat(lines).isEmpty();
        }
        finally {
            release.countDown();
            listener.shutdown();
        }
        // Nothing vanished without a count: every record was written or counted as dropped.
        assertThat(listener.getWrittenRecords() + listener.getDroppedRecords()).isEqualTo(2L * queries);
        assertThat(lines).hasSize((int) listener.getWrittenRecords());
        assertThat(listener.getFailures()).isZero();
    }

    private static JsonNode completed(List<JsonNode> records, String state) {
        return records.stream()
                .filter(record -> record.path("event").asText().equals("completed"))
                .filter(record -> record.path("state").asText().equals(state))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no completed record in state " + state + ": " + records));
    }

    /** Events reach the listener after the query returns; wait for them with a deadline, not a fixed sleep. */
    private static void waitFor(BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting for audit records");
            }
            Thread.onSpinWait();
        }
    }

    private static final class TestingContext implements EventListenerFactory.EventListenerContext {
        @Override
        public String getVersion() {
            return "test";
        }

        @Override
        public io.opentelemetry.api.OpenTelemetry getOpenTelemetry() {
            return io.opentelemetry.api.OpenTelemetry.noop();
        }

        @Override
        public io.opentelemetry.api.trace.Tracer getTracer() {
            return io.opentelemetry.api.OpenTelemetry.noop().getTracer("test");
        }
    }
}
