package io.dataplatform.trino.audit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Inject;
import io.airlift.log.Logger;
import io.trino.spi.eventlistener.EventListener;
import io.trino.spi.eventlistener.QueryCompletedEvent;
import io.trino.spi.eventlistener.QueryCreatedEvent;

import static java.util.Objects.requireNonNull;

/**
 * Writes one JSON line per query created and per query completed. The engine's threads only copy the event's fields
 * into a record and offer it to a bounded queue (never blocking); a single writer thread redacts, serialises and
 * writes it to the sinks. A full queue drops the record and counts it; a record that does not serialise or a sink that
 * fails is logged and counted; none of it is ever thrown into the engine or makes it wait.
 */
public class AuditEventListener implements EventListener {
    private static final Logger log = Logger.get(AuditEventListener.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Tells the writer to stop once everything before it is written. */
    private static final AuditRecord STOP = new AuditRecord("stop", "", null, null, null, null, null, null, null,
            null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
            null, null, null, null, null);

    private final boolean redactLiterals;
    private final List<AuditSink> sinks;
    private final BlockingQueue<AuditRecord> queue;
    private final Thread writer;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    @Inject
    public AuditEventListener(AuditConfig config) throws IOException {
        this(config, sinks(config));
    }

    AuditEventListener(AuditConfig config, List<AuditSink> sinks) {
        requireNonNull(config, "config is null");
        this.redactLiterals = config.isRedactLiterals();
        this.sinks = List.copyOf(sinks);
        this.queue = new ArrayBlockingQueue<>(config.getQueueCapacity());
        this.writer = Thread.ofPlatform().daemon().name("platform-audit-writer").start(this::drain);
    }

    private static List<AuditSink> sinks(AuditConfig config) throws IOException {
        List<AuditSink> sinks = new ArrayList<>();
        if (config.getPath() != null) {
            sinks.add(new RotatingFileSink(config.getPath().toPath(), config.getMaxFileSize().toBytes(),
                    config.getMaxHistory()));
        }
        if (config.isStdout()) {
            sinks.add(new StdoutSink(System.out));
        }
        return sinks;
    }

    @Override
    public void queryCreated(QueryCreatedEvent event) {
        try {
            enqueue(AuditRecord.created(event));
        }
        catch (RuntimeException e) {
            fail("Cannot build the audit record of a created query", e);
        }
    }

    @Override
    public void queryCompleted(QueryCompletedEvent event) {
        try {
            enqueue(AuditRecord.completed(event));
        }
        catch (RuntimeException e) {
            fail("Cannot build the audit record of a completed query", e);
        }
    }

    @Override
    public void shutdown() {
        try {
            queue.put(STOP);
            writer.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (AuditSink sink : sinks) {
            try {
                sink.close();
            }
            catch (IOException e) {
                fail("Cannot close an audit sink", e);
            }
        }
    }

    /** Records the engine handed over: each is eventually written, dropped (full queue) or failed. */
    public long getReceivedRecords() {
        return received.get();
    }

    public long getWrittenRecords() {
        return written.get();
    }

    public long getDroppedRecords() {
        return dropped.get();
    }

    public long getFailures() {
        return failures.get();
    }

    private void enqueue(AuditRecord record) {
        received.incrementAndGet();
        if (!queue.offer(record)) {
            long count = dropped.incrementAndGet();
            if (count == 1 || count % 1000 == 0) {
                log.warn("Audit queue full: %d records dropped so far (audit-log.queue-capacity)", count);
            }
        }
    }

    private void drain() {
        List<AuditRecord> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(queue.take());
                queue.drainTo(batch, 1000);
            }
            catch (InterruptedException e) {
                return;
            }
            boolean stop = false;
            for (AuditRecord record : batch) {
                if (record == STOP) {
                    stop = true;
                    continue;
                }
                String line;
                try {
                    line = JSON.writeValueAsString(redactLiterals ? record.withLiteralsRedacted() : record);
                }
                catch (JsonProcessingException | RuntimeException e) {
                    fail("Cannot serialise the audit record of " + record.queryId(), e);
                    continue;
                }
                for (AuditSink sink : sinks) {
                    try {
                        sink.write(line);
                    }
                    catch (IOException | RuntimeException e) {
                        fail("Audit sink failed", e);
                    }
                }
                written.incrementAndGet();
            }
            for (AuditSink sink : sinks) {
                try {
                    sink.flush();
                }
                catch (IOException | RuntimeException e) {
                    fail("Audit sink failed to flush", e);
                }
            }
            batch.clear();
            if (stop) {
                return;
            }
        }
    }

    private void fail(String message, Exception e) {
        long count = failures.incrementAndGet();
        if (count <= 10 || count % 1000 == 0) {
            log.error(e, "%s (%d audit failures so far)", message, count);
        }
    }
}
