package io.dataplatform.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The content of one image layer: a file system tree kept in insertion order, written as a deterministic tar by
 * {@link LayerTarWriter}. Paths are relative to the image root, without leading or trailing slashes.
 *
 * <p>Unlike Jib's {@code extraDirectories}, a layer keeps symbolic links as links (also links to directories and
 * absolute targets) and hard links as hard links, so a tree with thousands of hard links (the Trino distribution)
 * is stored once. Owners default to root; modification times are always written as the epoch.
 */
public final class Layer {
    public static final int ROOT = 0;

    private final String name;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    public Layer(String name) {
        this.name = requireNonNull(name, "name is null");
    }

    public String name() {
        return name;
    }

    public Collection<Entry> entries() {
        return entries.values();
    }

    public Optional<Entry> entry(String path) {
        return Optional.ofNullable(entries.get(normalize(path)));
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public void addDirectory(String path, int mode, int uid, int gid) {
        String normalized = normalize(path);
        if (normalized.isEmpty()) {
            return;
        }
        addParents(normalized);
        Entry existing = entries.get(normalized);
        if (existing != null && existing.type() != Type.DIRECTORY) {
            throw new ImageBuildException("%s: %s is already a %s, cannot make it a directory"
                    .formatted(name, normalized, existing.type()));
        }
        // The first declaration of a directory wins: several Debian packages list /usr, /usr/share, ...
        entries.putIfAbsent(normalized, new Entry(normalized, Type.DIRECTORY, mode, uid, gid, null, null));
    }

    public void addFile(String path, int mode, int uid, int gid, Content content) {
        requireNonNull(content, "content is null");
        put(new Entry(normalize(path), Type.FILE, mode, uid, gid, null, content));
    }

    public void addFile(String path, int mode, byte[] content) {
        addFile(path, mode, ROOT, ROOT, Content.of(content));
    }

    public void addSymlink(String path, String target) {
        put(new Entry(normalize(path), Type.SYMLINK, 0777, ROOT, ROOT, requireNonNull(target, "target is null"), null));
    }

    /** A hard link to a file added earlier to this layer. */
    public void addHardLink(String path, String target) {
        String normalizedTarget = normalize(target);
        Entry targetEntry = entries.get(normalizedTarget);
        if (targetEntry == null || targetEntry.type() != Type.FILE) {
            throw new ImageBuildException("%s: hard link %s points to %s, which is not a file added before it"
                    .formatted(name, path, target));
        }
        put(new Entry(normalize(path), Type.HARD_LINK, targetEntry.mode(), targetEntry.uid(), targetEntry.gid(),
                normalizedTarget, null));
    }

    /**
     * Adds a directory tree from disk under {@code prefix}, keeping modes, symbolic links (not followed) and hard
     * links (files sharing an inode are written once, then linked).
     */
    public void addTree(Path root, String prefix) {
        Map<Object, String> pathByInode = new HashMap<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes)
                        throws IOException {
                    addDirectory(target(directory), mode(directory), ROOT, ROOT);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    String target = target(file);
                    if (attributes.isSymbolicLink()) {
                        addSymlink(target, Files.readSymbolicLink(file).toString());
                    }
                    else if (attributes.isRegularFile()) {
                        Object inode = attributes.fileKey();
                        String firstPath = inode == null ? null : pathByInode.putIfAbsent(inode, target);
                        if (firstPath != null) {
                            addHardLink(target, firstPath);
                        }
                        else {
                            addFile(target, mode(file), ROOT, ROOT, Content.of(file));
                        }
                    }
                    else {
                        throw new ImageBuildException("%s: %s is neither a file, a directory nor a link"
                                .formatted(name, file));
                    }
                    return FileVisitResult.CONTINUE;
                }

                private String target(Path path) {
                    String relative = root.relativize(path).toString();
                    return relative.isEmpty() ? normalize(prefix) : normalize(prefix) + "/" + relative;
                }
            });
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + root, e);
        }
    }

    /** The paths of the regular files of this layer below {@code directory}, in insertion order. */
    public List<Entry> filesUnder(String directory) {
        String prefix = normalize(directory) + "/";
        List<Entry> files = new ArrayList<>();
        for (Entry entry : entries.values()) {
            if (entry.type() == Type.FILE && entry.path().startsWith(prefix)) {
                files.add(entry);
            }
        }
        return files;
    }

    private void put(Entry entry) {
        if (entry.path().isEmpty()) {
            throw new ImageBuildException(name + ": an entry needs a path");
        }
        addParents(entry.path());
        Entry existing = entries.get(entry.path());
        if (existing != null && existing.type() == Type.DIRECTORY) {
            throw new ImageBuildException("%s: %s is a directory, cannot replace it with a %s"
                    .formatted(name, entry.path(), entry.type()));
        }
        // A later declaration of a file replaces an earlier one in place, keeping the order deterministic.
        entries.put(entry.path(), entry);
    }

    private void addParents(String path) {
        int slash = path.lastIndexOf('/');
        if (slash > 0) {
            String parent = path.substring(0, slash);
            if (!entries.containsKey(parent)) {
                addDirectory(parent, 0755, ROOT, ROOT);
            }
        }
    }

    static String normalize(String path) {
        String normalized = requireNonNull(path, "path is null");
        while (normalized.startsWith("./") || normalized.startsWith("/")) {
            normalized = normalized.substring(normalized.startsWith("./") ? 2 : 1);
        }
        while (normalized.endsWith("/")) {
            normalized = normalized.substring(0, normalized.length() - 1);
        }
        if (normalized.equals(".")) {
            return "";
        }
        for (String segment : normalized.split("/")) {
            if (segment.equals("..")) {
                throw new ImageBuildException("Path escapes the image root: " + path);
            }
        }
        return normalized;
    }

    private static int mode(Path path) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        int mode = 0;
        for (PosixFilePermission permission : permissions) {
            mode |= 1 << (8 - permission.ordinal());
        }
        return mode;
    }

    public enum Type {
        FILE, DIRECTORY, SYMLINK, HARD_LINK
    }

    /**
     * One tar entry. {@code linkTarget} is the symlink target or the hard link's first path; {@code content} is set
     * for files only.
     */
    public record Entry(String path, Type type, int mode, int uid, int gid, String linkTarget, Content content) {
        public Entry {
            requireNonNull(path, "path is null");
            requireNonNull(type, "type is null");
        }
    }

    /** File content, held in memory (small generated files, Debian package members) or read from disk. */
    public sealed interface Content {
        long size();

        InputStream open() throws IOException;

        static Content of(byte[] bytes) {
            return new InMemory(bytes.clone());
        }

        static Content of(Path file) {
            return new OnDisk(file);
        }

        default byte[] readAllBytes() {
            try (InputStream input = open()) {
                return input.readAllBytes();
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    record InMemory(byte[] bytes) implements Content {
        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public InputStream open() {
            return new java.io.ByteArrayInputStream(bytes);
        }
    }

    record OnDisk(Path file) implements Content {
        @Override
        public long size() {
            try {
                return Files.size(file);
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public InputStream open() throws IOException {
            return Files.newInputStream(file);
        }
    }
}
