package io.dataplatform.trino.audit;

import java.io.File;
import java.util.Map;

import io.airlift.units.DataSize;
import org.junit.jupiter.api.Test;

import static io.airlift.configuration.testing.ConfigAssertions.assertFullMapping;
import static io.airlift.configuration.testing.ConfigAssertions.assertRecordedDefaults;
import static io.airlift.configuration.testing.ConfigAssertions.recordDefaults;
import static io.airlift.units.DataSize.Unit.MEGABYTE;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestAuditConfig {
    @Test
    void defaults() {
        assertRecordedDefaults(recordDefaults(AuditConfig.class)
                .setPath(null)
                .setStdout(false)
                .setMaxFileSize(DataSize.of(100, MEGABYTE))
                .setMaxHistory(10)
                .setRedactLiterals(false)
                .setQueueCapacity(10_000));
    }

    @Test
    void explicitProperties() {
        Map<String, String> properties = Map.of(
                "audit-log.path", "/var/log/trino/audit.log",
                "audit-log.stdout", "true",
                "audit-log.max-file-size", "10MB",
                "audit-log.max-history", "3",
                "audit-log.redact-literals", "true",
                "audit-log.queue-capacity", "500");
        assertFullMapping(properties, new AuditConfig()
                .setPath(new File("/var/log/trino/audit.log"))
                .setStdout(true)
                .setMaxFileSize(DataSize.of(10, MEGABYTE))
                .setMaxHistory(3)
                .setRedactLiterals(true)
                .setQueueCapacity(500));
    }

    @Test
    void aListenerWithNowhereToWriteIsRefusedAtStart() {
        assertThatThrownBy(() -> new AuditEventListenerFactory().create(Map.of(), null))
                .hasMessageContaining("audit-log.path or audit-log.stdout must be set");
        assertThatThrownBy(() -> new AuditEventListenerFactory().create(Map.of("audit-log.stdout", "true",
                "audit-log.max-history", "0"), null))
                .hasMessageContaining("maxHistory");
    }
}
