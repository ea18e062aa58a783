package io.dataplatform.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The pinned Debian packages of one image: what was asked for, what was deliberately left out, and every package of
 * the resolved closure with its version, SHA-256, size and download URL. Written by the refresh goal, read by the
 * build, reviewed in pull requests (one line per package, so a security update is a readable diff).
 *
 * <pre>
 * suite trixie amd64
 * requested base-files ca-certificates ...
 * excluded debconf openssl ...
 * package &lt;name&gt; &lt;version&gt; &lt;architecture&gt; &lt;sha256&gt; &lt;size&gt; &lt;url&gt;
 * </pre>
 */
public record DebianLock(String suite, String architecture, List<String> requested, List<String> excluded,
        List<LockedPackage> packages) {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public DebianLock {
        requireNonNull(suite, "suite is null");
        requireNonNull(architecture, "architecture is null");
        requested = List.copyOf(requested);
        excluded = List.copyOf(excluded);
        packages = List.copyOf(packages);
    }

    public static DebianLock read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (NoSuchFileException e) {
            throw new ImageBuildException("Debian lock %s does not exist; create it with the refresh command (README)"
                    .formatted(file));
        }
        catch (IOException e) {
            throw new ImageBuildException("Cannot read Debian lock " + file, e);
        }
        String suite = null;
        String architecture = null;
        List<String> requested = List.of();
        List<String> excluded = List.of();
        List<LockedPackage> packages = new ArrayList<>();
        for (int number = 1; number <= lines.size(); number++) {
            String line = lines.get(number - 1).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split("\\s+");
            String where = "%s:%d".formatted(file, number);
            switch (words[0]) {
                case "suite" -> {
                    expectWords(words, 3, where, "suite <suite> <architecture>");
                    suite = words[1];
                    architecture = words[2];
                }
                case "requested" -> requested = List.of(words).subList(1, words.length);
                case "excluded" -> excluded = List.of(words).subList(1, words.length);
                case "package" -> {
                    expectWords(words, 7, where, "package <name> <version> <architecture> <sha256> <size> <url>");
                    if (!SHA256.matcher(words[4]).matches()) {
                        throw new ImageBuildException("%s: package %s: '%s' is not a SHA-256 (64 hex digits)"
                                .formatted(where, words[1], words[4]));
                    }
                    long size;
                    try {
                        size = Long.parseLong(words[5]);
                    }
                    catch (NumberFormatException e) {
                        throw new ImageBuildException("%s: package %s: size '%s' is not a number"
                                .formatted(where, words[1], words[5]));
                    }
                    packages.add(new LockedPackage(words[1], words[2], words[3], words[4], size, words[6]));
                }
                default -> throw new ImageBuildException(("%s: unknown line '%s' (expected suite, requested, excluded "
                        + "or package)").formatted(where, words[0]));
            }
        }
        if (suite == null) {
            throw new ImageBuildException(file + ": no 'suite <suite> <architecture>' line");
        }
        return new DebianLock(suite, architecture, requested, excluded, packages);
    }

    private static void expectWords(String[] words, int count, String where, String form) {
        if (words.length != count) {
            throw new ImageBuildException("%s: expected '%s', found %d fields".formatted(where, form, words.length));
        }
    }

    public void write(Path file, String refreshCommand) throws IOException {
        StringBuilder text = new StringBuilder();
        text.append("# Pinned Debian packages of this image. Generated: do not edit by hand.\n");
        text.append("# Refresh (security updates, new packages): ").append(refreshCommand).append('\n');
        text.append("suite ").append(suite).append(' ').append(architecture).append('\n');
        text.append("requested ").append(String.join(" ", requested)).append('\n');
        text.append("excluded ").append(String.join(" ", excluded)).append('\n');
        text.append("# package <name> <version> <architecture> <sha256> <size> <url>\n");
        for (LockedPackage lockedPackage : packages) {
            text.append("package %s %s %s %s %d %s\n".formatted(lockedPackage.name(), lockedPackage.version(),
                    lockedPackage.architecture(), lockedPackage.sha256(), lockedPackage.size(), lockedPackage.url()));
        }
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, text, StandardCharsets.UTF_8);
        Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public record LockedPackage(String name, String version, String architecture, String sha256, long size,
            String url) {
        public LockedPackage {
            requireNonNull(name, "name is null");
            requireNonNull(version, "version is null");
            requireNonNull(sha256, "sha256 is null");
            requireNonNull(url, "url is null");
        }

        @Override
        public String toString() {
            return name + " " + version;
        }
    }
}
