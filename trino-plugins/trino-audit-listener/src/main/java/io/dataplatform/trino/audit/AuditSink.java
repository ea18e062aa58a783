package io.dataplatform.trino.audit;

import java.io.Closeable;
import java.io.IOException;

/** Where audit lines go. Called from the single writer thread only. */
interface AuditSink extends Closeable {
    void write(String line) throws IOException;

    void flush() throws IOException;
}
