package io.dataplatform.trino.groups;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import com.google.inject.Inject;
import io.airlift.log.Logger;
import io.trino.spi.security.GroupProvider;

import static java.util.Objects.requireNonNull;

/**
 * Groups from a mounted file (a Kubernetes ConfigMap, typically). The file is checked at most once per refresh
 * period, on use; a changed file that does not parse is reported with its line and the last good mapping stays in
 * force, so a bad edit never takes everyone's groups away. The file must be valid when Trino starts.
 */
public class FileGroupProvider implements GroupProvider {
    private static final Logger log = Logger.get(FileGroupProvider.class);

    private final Path file;
    private final long refreshNanos;
    private final AtomicLong reloadFailures = new AtomicLong();
    private final AtomicLong reloads = new AtomicLong();

    private volatile Snapshot snapshot;

    @Inject
    public FileGroupProvider(FileGroupProviderConfig config) {
        requireNonNull(config, "config is null");
        this.file = config.getGroupsFile().toPath();
        this.refreshNanos = config.getRefreshPeriod().roundTo(java.util.concurrent.TimeUnit.NANOSECONDS);
        byte[] content = read();
        this.snapshot = new Snapshot(parse(content), content, System.nanoTime());
    }

    @Override
    public Set<String> getGroups(String user) {
        requireNonNull(user, "user is null");
        refreshIfDue();
        return snapshot.groups().groupsOf(user);
    }

    public long getReloads() {
        return reloads.get();
    }

    public long getReloadFailures() {
        return reloadFailures.get();
    }

    private void refreshIfDue() {
        Snapshot current = snapshot;
        if (System.nanoTime() - current.checkedAt() < refreshNanos) {
            return;
        }
        synchronized (this) {
            current = snapshot;
            if (System.nanoTime() - current.checkedAt() < refreshNanos) {
                return;
            }
            try {
                byte[] content = read();
                if (Arrays.equals(content, current.content())) {
                    snapshot = new Snapshot(current.groups(), current.content(), System.nanoTime());
                    return;
                }
                snapshot = new Snapshot(parse(content), content, System.nanoTime());
                reloads.incrementAndGet();
                log.info("Reloaded groups from %s", file);
            }
            catch (RuntimeException e) {
                reloadFailures.incrementAndGet();
                // Remember the bad content so the same error is logged once, not on every query.
                byte[] content = tryRead();
                snapshot = new Snapshot(current.groups(), content == null ? current.content() : content,
                        System.nanoTime());
                log.error("Keeping the last good groups mapping: %s", e.getMessage());
            }
        }
    }

    private GroupsFile parse(byte[] content) {
        List<String> lines = new String(content, StandardCharsets.UTF_8).lines().toList();
        return GroupsFile.parse(file.toString(), lines);
    }

    private byte[] read() {
        try {
            return Files.readAllBytes(file);
        }
        catch (IOException e) {
            throw new IllegalStateException("Cannot read groups file %s: %s".formatted(file, e), e);
        }
    }

    private byte[] tryRead() {
        try {
            return Files.readAllBytes(file);
        }
        catch (IOException e) {
            return null;
        }
    }

    private record Snapshot(GroupsFile groups, byte[] content, long checkedAt) {}
}
