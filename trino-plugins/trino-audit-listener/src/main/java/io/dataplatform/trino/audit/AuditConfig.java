package io.dataplatform.trino.audit;

import java.io.File;

import io.airlift.configuration.Config;
import io.airlift.configuration.ConfigDescription;
import io.airlift.units.DataSize;
import io.airlift.units.MinDataSize;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import static io.airlift.units.DataSize.Unit.MEGABYTE;

public class AuditConfig {
    private File path;
    private boolean stdout;
    private DataSize maxFileSize = DataSize.of(100, MEGABYTE);
    private int maxHistory = 10;
    private boolean redactLiterals;
    private int queueCapacity = 10_000;

    public File getPath() {
        return path;
    }

    @Config("audit-log.path")
    @ConfigDescription("Audit log file; rotated to <path>.1, <path>.2, ... Unset: no file sink")
    public AuditConfig setPath(File path) {
        this.path = path;
        return this;
    }

    public boolean isStdout() {
        return stdout;
    }

    @Config("audit-log.stdout")
    @ConfigDescription("Also write each record to standard output (the container log)")
    public AuditConfig setStdout(boolean stdout) {
        this.stdout = stdout;
        return this;
    }

    @NotNull
    @MinDataSize("1kB")
    public DataSize getMaxFileSize() {
        return maxFileSize;
    }

    @Config("audit-log.max-file-size")
    @ConfigDescription("Size at which the audit file is rotated")
    public AuditConfig setMaxFileSize(DataSize maxFileSize) {
        this.maxFileSize = maxFileSize;
        return this;
    }

    @Min(1)
    public int getMaxHistory() {
        return maxHistory;
    }

    @Config("audit-log.max-history")
    @ConfigDescription("Number of rotated files kept")
    public AuditConfig setMaxHistory(int maxHistory) {
        this.maxHistory = maxHistory;
        return this;
    }

    public boolean isRedactLiterals() {
        return redactLiterals;
    }

    @Config("audit-log.redact-literals")
    @ConfigDescription("Replace string and number literals of the SQL text with '?' (no subscriber data in logs)")
    public AuditConfig setRedactLiterals(boolean redactLiterals) {
        this.redactLiterals = redactLiterals;
        return this;
    }

    @Min(1)
    public int getQueueCapacity() {
        return queueCapacity;
    }

    @Config("audit-log.queue-capacity")
    @ConfigDescription("Records waiting for the writer; beyond it records are dropped and counted, never blocking")
    public AuditConfig setQueueCapacity(int queueCapacity) {
        this.queueCapacity = queueCapacity;
        return this;
    }

    @AssertTrue(message = "audit-log.path or audit-log.stdout must be set: the audit listener has nowhere to write")
    public boolean isAnySinkConfigured() {
        return path != null || stdout;
    }
}
