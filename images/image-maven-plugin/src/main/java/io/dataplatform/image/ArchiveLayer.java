package io.dataplatform.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Adds part of a tar.gz distribution (the Trino server tarball, say) to a layer without unpacking it onto a file
 * system first, so hard links stay hard links and nothing is doubled. Entries are selected with globs on their path
 * inside the archive (after {@code stripComponents}); a selected hard link whose target was not selected becomes a
 * regular file, and further links to the same target link to it.
 */
final class ArchiveLayer {
    private ArchiveLayer() {}

    static Layer read(Path archive, int stripComponents, List<String> includes, List<String> excludes, String prefix,
            Path staging) {
        List<PathMatcher> includeMatchers = matchers(includes);
        List<PathMatcher> excludeMatchers = matchers(excludes);
        try {
            // First pass, headers only: which unselected files do selected hard links need?
            Set<String> needed = new HashSet<>();
            forEachEntry(archive, (entry, path, input) -> {
                if (entry.isLink() && selected(path, includeMatchers, excludeMatchers)) {
                    String target = strip(entry.getLinkName(), stripComponents);
                    if (target != null && !selected(target, includeMatchers, excludeMatchers)) {
                        needed.add(target);
                    }
                }
            }, stripComponents);

            Layer layer = new Layer("archive " + archive.getFileName() + " " + String.join(",", includes));
            Map<String, Path> stagedNeeded = new HashMap<>();
            Map<String, String> promotedLinkByTarget = new HashMap<>();
            Files.createDirectories(staging);
            int[] counter = {0};
            forEachEntry(archive, (entry, path, input) -> {
                boolean isSelected = selected(path, includeMatchers, excludeMatchers);
                String target = prefix(prefix, path);
                int mode = entry.getMode() & 07777;
                if (isRegularFile(entry) && (isSelected || needed.contains(path))) {
                    Path file = staging.resolve("f" + counter[0]++);
                    Files.copy(input, file, StandardCopyOption.REPLACE_EXISTING);
                    if (isSelected) {
                        layer.addFile(target, mode, Layer.ROOT, Layer.ROOT, Layer.Content.of(file));
                    }
                    else {
                        stagedNeeded.put(path, file);
                    }
                }
                else if (!isSelected) {
                    return;
                }
                else if (entry.isDirectory()) {
                    layer.addDirectory(target, mode, Layer.ROOT, Layer.ROOT);
                }
                else if (entry.isSymbolicLink()) {
                    layer.addSymlink(target, entry.getLinkName());
                }
                else if (entry.isLink()) {
                    String linkTarget = strip(entry.getLinkName(), stripComponents);
                    Path unselectedContent = stagedNeeded.get(linkTarget);
                    if (unselectedContent == null) {
                        layer.addHardLink(target, prefix(prefix, linkTarget));
                    }
                    else if (promotedLinkByTarget.containsKey(linkTarget)) {
                        layer.addHardLink(target, promotedLinkByTarget.get(linkTarget));
                    }
                    else {
                        layer.addFile(target, mode, Layer.ROOT, Layer.ROOT, Layer.Content.of(unselectedContent));
                        promotedLinkByTarget.put(linkTarget, target);
                    }
                }
            }, stripComponents);
            if (layer.isEmpty()) {
                throw new ImageBuildException("No entry of %s matches %s".formatted(archive, includes));
            }
            for (String include : includes) {
                PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + include);
                if (layer.entries().stream().map(entry -> relative(entry.path(), prefix))
                        .noneMatch(path -> path != null && matcher.matches(Path.of(path)))) {
                    throw new ImageBuildException("Include '%s' matches nothing in %s".formatted(include, archive));
                }
            }
            return layer;
        }
        catch (IOException e) {
            throw new ImageBuildException("Cannot read archive " + archive + ": " + e.getMessage(), e);
        }
    }

    /** Names a layer by its inputs: the archive's checksum, the selection and where it goes. */
    static String cacheKey(ImageSpec.ArchivePart part) {
        String identity;
        try {
            // Distribution archives come from the Maven repository, where a released file never changes: its path,
            // size and time identify it without hashing 800 MB on every build.
            identity = part.archive().toAbsolutePath() + ":" + java.nio.file.Files.size(part.archive()) + ":"
                    + java.nio.file.Files.getLastModifiedTime(part.archive()).toMillis();
        }
        catch (java.io.IOException e) {
            throw new ImageBuildException("Cannot read " + part.archive() + ": " + e.getMessage(), e);
        }
        String inputs = String.join("\n", identity, String.valueOf(part.stripComponents()),
                String.join(",", part.includes()), String.join(",", part.excludes()), part.path(),
                String.valueOf(FORMAT_VERSION));
        return Digests.sha256(inputs.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Bump when the way layers are written changes, so that cached layers are not reused. */
    private static final int FORMAT_VERSION = 1;

    private interface EntryVisitor {
        void visit(TarArchiveEntry entry, String path, InputStream input) throws IOException;
    }

    private static void forEachEntry(Path archive, EntryVisitor visitor, int stripComponents) throws IOException {
        try (InputStream file = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
                TarArchiveInputStream tar = new TarArchiveInputStream(
                        archive.toString().endsWith("gz") ? new GzipCompressorInputStream(file) : file)) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                String path = strip(entry.getName(), stripComponents);
                if (path != null && !path.isEmpty()) {
                    visitor.visit(entry, path, tar);
                }
            }
        }
    }

    /** commons-compress calls links "files" too; only these flags carry content. */
    static boolean isRegularFile(TarArchiveEntry entry) {
        byte flag = entry.getLinkFlag();
        return flag == TarArchiveEntry.LF_NORMAL || flag == TarArchiveEntry.LF_OLDNORM
                || flag == TarArchiveEntry.LF_CONTIG;
    }

    private static String strip(String name, int components) {
        String path = Layer.normalize(name);
        for (int i = 0; i < components; i++) {
            int slash = path.indexOf('/');
            if (slash < 0) {
                return null;
            }
            path = path.substring(slash + 1);
        }
        return path;
    }

    private static boolean selected(String path, List<PathMatcher> includes, List<PathMatcher> excludes) {
        Path candidate = Path.of(path);
        return includes.stream().anyMatch(matcher -> matcher.matches(candidate))
                && excludes.stream().noneMatch(matcher -> matcher.matches(candidate));
    }

    private static List<PathMatcher> matchers(List<String> globs) {
        return globs.stream().map(glob -> FileSystems.getDefault().getPathMatcher("glob:" + glob)).toList();
    }

    private static String prefix(String prefix, String path) {
        String normalized = Layer.normalize(prefix);
        return normalized.isEmpty() ? path : normalized + "/" + path;
    }

    private static String relative(String path, String prefix) {
        String normalized = Layer.normalize(prefix);
        if (normalized.isEmpty()) {
            return path;
        }
        return path.startsWith(normalized + "/") ? path.substring(normalized.length() + 1) : null;
    }
}
