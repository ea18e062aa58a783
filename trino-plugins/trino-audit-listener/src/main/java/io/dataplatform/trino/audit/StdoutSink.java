package io.dataplatform.trino.audit;

import java.io.PrintStream;

/** The container log: one line per record on standard output, prefixed so log shippers can route it. */
final class StdoutSink implements AuditSink {
    static final String PREFIX = "AUDIT ";

    private final PrintStream out;

    StdoutSink(PrintStream out) {
        this.out = out;
    }

    @Override
    public void write(String line) {
        out.println(PREFIX + line);
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        out.flush();
    }
}
