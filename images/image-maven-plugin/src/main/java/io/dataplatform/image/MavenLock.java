package io.dataplatform.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The Maven artifacts one module ships (into an image, or into a directory an image copies), each pinned by its
 * SHA-256 and size: the Maven counterpart of {@link DebianLock}. Maven Central's own checksums prove a download is
 * what Central serves today; the lock proves it is what this repository reviewed, so a tampered local repository, a
 * mirror serving other bytes, or a re-released version fails the build naming the artifact.
 *
 * <pre>
 * # comment
 * &lt;groupId&gt;:&lt;artifactId&gt;:&lt;version&gt;:&lt;type&gt;[:&lt;classifier&gt;] &lt;sha256&gt; &lt;size&gt;
 * </pre>
 */
public record MavenLock(Map<String, Pin> pins) {
    static final String REFRESH_COMMAND = "images/refresh-maven-locks";
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern COORDINATES = Pattern.compile("[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+){3,4}");

    public MavenLock {
        pins = Map.copyOf(pins);
    }

    /** One pinned artifact: coordinates {@code groupId:artifactId:version:type[:classifier]}, SHA-256, size. */
    public record Pin(String coordinates, String sha256, long size) {
        public Pin {
            requireNonNull(coordinates, "coordinates is null");
            requireNonNull(sha256, "sha256 is null");
        }

        String line() {
            return "%s %s %d".formatted(coordinates, sha256, size);
        }
    }

    /** An artifact as the build resolved it. */
    public record Resolved(String coordinates, Path file) {
        public Resolved {
            requireNonNull(coordinates, "coordinates is null");
            requireNonNull(file, "file is null");
        }
    }

    public static MavenLock read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (NoSuchFileException e) {
            throw new ImageBuildException("%s does not exist, so nothing this module ships from Maven is pinned: run %s"
                    .formatted(file, REFRESH_COMMAND));
        }
        catch (IOException e) {
            throw new ImageBuildException("Cannot read " + file, e);
        }
        Map<String, Pin> pins = new TreeMap<>();
        for (int number = 1; number <= lines.size(); number++) {
            String line = lines.get(number - 1).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split("\\s+");
            String where = "%s:%d: ".formatted(file.getFileName(), number);
            if (words.length != 3) {
                throw new ImageBuildException(where + "expected '<groupId>:<artifactId>:<version>:<type>[:<classifier>] "
                        + "<sha256> <size>', found '" + line + "'");
            }
            if (!COORDINATES.matcher(words[0]).matches()) {
                throw new ImageBuildException(where + "'%s' is not groupId:artifactId:version:type[:classifier]"
                        .formatted(words[0]));
            }
            if (!SHA256.matcher(words[1]).matches()) {
                throw new ImageBuildException(where + "'%s' is not a SHA-256 (64 lower-case hex digits)".formatted(words[1]));
            }
            long size;
            try {
                size = Long.parseLong(words[2]);
            }
            catch (NumberFormatException e) {
                throw new ImageBuildException(where + "'%s' is not a size in bytes".formatted(words[2]));
            }
            if (pins.put(words[0], new Pin(words[0], words[1], size)) != null) {
                throw new ImageBuildException(where + words[0] + " is pinned twice");
            }
        }
        return new MavenLock(pins);
    }

    /** The lock of exactly these artifacts, hashed now. */
    public static MavenLock of(Collection<Resolved> artifacts) {
        Map<String, Pin> pins = new TreeMap<>();
        for (Resolved artifact : artifacts) {
            pins.put(artifact.coordinates(), pin(artifact));
        }
        return new MavenLock(pins);
    }

    public void write(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("# The Maven artifacts this module ships, pinned by SHA-256 and size; the build verifies every one.");
        lines.add("# Refresh after a version change: " + REFRESH_COMMAND + " (then review and commit the diff).");
        new TreeMap<>(pins).values().forEach(pin -> lines.add(pin.line()));
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    /**
     * Checks that the resolved artifacts are exactly the pinned ones, byte for byte. Every problem is reported, each
     * naming the artifact; {@code lockName} says which lock (e.g. {@code images/spark/maven.lock}).
     */
    public void verify(Collection<Resolved> artifacts, String lockName) {
        List<String> problems = new ArrayList<>();
        Map<String, Resolved> resolved = new TreeMap<>();
        artifacts.forEach(artifact -> resolved.put(artifact.coordinates(), artifact));
        for (Resolved artifact : resolved.values()) {
            Pin pinned = pins.get(artifact.coordinates());
            if (pinned == null) {
                problems.add("%s does not pin %s, which the module uses: run %s"
                        .formatted(lockName, artifact.coordinates(), REFRESH_COMMAND));
                continue;
            }
            Pin actual = pin(artifact);
            if (!actual.sha256().equals(pinned.sha256()) || actual.size() != pinned.size()) {
                problems.add(("Maven artifact %s (%s) failed verification: %s pins SHA-256 %s (%d bytes), the file "
                        + "has %s (%d bytes). Delete it from the local repository to download it again; if the "
                        + "change is deliberate, run %s and review the diff")
                        .formatted(artifact.coordinates(), artifact.file(), lockName, pinned.sha256(), pinned.size(),
                                actual.sha256(), actual.size(), REFRESH_COMMAND));
            }
        }
        for (String coordinates : new TreeMap<>(pins).keySet()) {
            if (!resolved.containsKey(coordinates)) {
                problems.add("%s pins %s, which the module no longer uses (stale lock): run %s"
                        .formatted(lockName, coordinates, REFRESH_COMMAND));
            }
        }
        if (!problems.isEmpty()) {
            throw new ImageBuildException(String.join("\n", problems));
        }
    }

    private static Pin pin(Resolved artifact) {
        try {
            return new Pin(artifact.coordinates(), Digests.sha256(artifact.file()), Files.size(artifact.file()));
        }
        catch (IOException e) {
            throw new ImageBuildException("Cannot read %s (%s)".formatted(artifact.file(), artifact.coordinates()), e);
        }
    }
}
