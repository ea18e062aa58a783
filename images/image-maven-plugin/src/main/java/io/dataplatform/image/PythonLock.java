package io.dataplatform.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The Python wheels one image installs, each pinned by SHA-256 and by the URL PyPI serves it from: the Python
 * counterpart of {@link DebianLock} and {@link MavenLock}. Written by the refresh command from pip's resolver
 * ({@code images/refresh-python-locks}); the build downloads every wheel, verifies it, and installs it without pip.
 *
 * <pre>
 * # comment
 * &lt;name&gt;==&lt;version&gt; sha256:&lt;hex&gt; &lt;url of the .whl&gt;
 * </pre>
 *
 * A pure-Python package PyPI serves no wheel of is pinned by its source distribution (a {@code .tar.gz} URL); the
 * build makes the wheel from it ({@link SourceDistribution}).
 */
public record PythonLock(List<Wheel> wheels) {
    static final String REFRESH_COMMAND = "images/refresh-python-locks";
    private static final Pattern LINE = Pattern.compile(
            "([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.!+_-]+) sha256:([0-9a-f]{64}) (https://\\S+\\.whl|file:\\S+\\.whl|https://\\S+\\.tar\\.gz)");

    public PythonLock {
        wheels = List.copyOf(wheels);
    }

    /** One pinned wheel: the distribution's name and version, the wheel's SHA-256 and where it is served. */
    public record Wheel(String name, String version, String sha256, String url) {
        public Wheel {
            requireNonNull(name, "name is null");
            requireNonNull(version, "version is null");
            requireNonNull(sha256, "sha256 is null");
            requireNonNull(url, "url is null");
        }

        /** The wheel's file name, e.g. {@code PyYAML-6.0.2-cp313-cp313-manylinux_2_17_x86_64.whl}. */
        String fileName() {
            return url.substring(url.lastIndexOf('/') + 1);
        }

        String line() {
            return "%s==%s sha256:%s %s".formatted(name, version, sha256, url);
        }

        @Override
        public String toString() {
            return name + "==" + version;
        }
    }

    /** PEP 503's normalised name: lower case, runs of -, _ and . as one -. */
    static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
    }

    public static PythonLock read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (NoSuchFileException e) {
            throw new ImageBuildException("%s does not exist, so no wheel of this image is pinned: run %s"
                    .formatted(file, REFRESH_COMMAND));
        }
        catch (IOException e) {
            throw new ImageBuildException("Cannot read " + file, e);
        }
        Map<String, Wheel> wheels = new LinkedHashMap<>();
        for (int number = 1; number <= lines.size(); number++) {
            String line = lines.get(number - 1).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = "%s:%d: ".formatted(file.getFileName(), number);
            Matcher matcher = LINE.matcher(line);
            if (!matcher.matches()) {
                throw new ImageBuildException(where + "expected '<name>==<version> sha256:<64 hex digits> "
                        + "<https URL of a .whl or .tar.gz>', found '" + line + "'");
            }
            Wheel wheel = new Wheel(matcher.group(1), matcher.group(2), matcher.group(3), matcher.group(4));
            Wheel earlier = wheels.putIfAbsent(normalize(wheel.name()), wheel);
            if (earlier != null) {
                throw new ImageBuildException(where + "%s is pinned twice (also as %s)".formatted(wheel, earlier));
            }
        }
        if (wheels.isEmpty()) {
            throw new ImageBuildException("%s pins no wheel: run %s".formatted(file, REFRESH_COMMAND));
        }
        return new PythonLock(new ArrayList<>(wheels.values()));
    }

    /**
     * Fails unless the lock pins {@code name} at {@code version} (the version the image's tag carries): a version
     * bump in the pom without a refreshed lock is stale.
     */
    void requireVersion(String name, String version, String lockName) {
        Wheel pinned = wheels.stream().filter(wheel -> normalize(wheel.name()).equals(normalize(name))).findFirst()
                .orElseThrow(() -> new ImageBuildException("%s pins no %s, the wheel whose version the tag carries: run %s"
                        .formatted(lockName, name, REFRESH_COMMAND)));
        if (!pinned.version().equals(version)) {
            throw new ImageBuildException("%s pins %s, but the pom says %s: the lock is stale; run %s and commit it"
                    .formatted(lockName, pinned, version, REFRESH_COMMAND));
        }
    }

    /** The lock file's text: a header, then one line per wheel sorted by normalised name. */
    String text(List<String> header) {
        StringBuilder text = new StringBuilder();
        header.forEach(line -> text.append("# ").append(line).append('\n'));
        wheels.stream().sorted(Comparator.comparing(wheel -> normalize(wheel.name())))
                .forEach(wheel -> text.append(wheel.line()).append('\n'));
        return text.toString();
    }
}
