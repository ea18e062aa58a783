package io.dataplatform.gitops.sync;

/** A sync that cannot go on: what failed, and where (application, kind, name). */
public final class SyncException extends RuntimeException {
    public SyncException(String message) {
        super(message);
    }

    public SyncException(String message, Throwable cause) {
        super(message, cause);
    }
}
