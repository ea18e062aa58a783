package io.dataplatform.trino.audit;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import static java.util.Objects.requireNonNull;

/** Appends to {@code path}; past {@code maxBytes} the file becomes {@code path.1} (older ones shift, the oldest goes). */
final class RotatingFileSink implements AuditSink {
    private final Path path;
    private final long maxBytes;
    private final int maxHistory;
    private BufferedWriter writer;
    private long size;

    RotatingFileSink(Path path, long maxBytes, int maxHistory) throws IOException {
        this.path = requireNonNull(path, "path is null");
        this.maxBytes = maxBytes;
        this.maxHistory = maxHistory;
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        open();
    }

    @Override
    public void write(String line) throws IOException {
        long bytes = line.getBytes(StandardCharsets.UTF_8).length + 1L;
        if (size > 0 && size + bytes > maxBytes) {
            rotate();
        }
        if (writer == null) {
            open();
        }
        writer.write(line);
        writer.write('\n');
        size += bytes;
    }

    @Override
    public void flush() throws IOException {
        if (writer != null) {
            writer.flush();
        }
    }

    @Override
    public void close() throws IOException {
        if (writer != null) {
            writer.close();
            writer = null;
        }
    }

    private void rotate() throws IOException {
        close();
        Files.deleteIfExists(rotated(maxHistory));
        for (int index = maxHistory - 1; index >= 1; index--) {
            if (Files.exists(rotated(index))) {
                Files.move(rotated(index), rotated(index + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(path, rotated(1), StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    private void open() throws IOException {
        writer = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        size = Files.size(path);
    }

    private Path rotated(int index) {
        return path.resolveSibling(path.getFileName() + "." + index);
    }
}
