package io.dataplatform.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static java.util.Objects.requireNonNull;

/**
 * Builds a pure-Python wheel ({@code py3-none-any}) from a source tree, the way a PEP 517 backend would but without
 * one: the packages' files, {@code METADATA}, {@code WHEEL}, {@code entry_points.txt} and {@code RECORD} (with every
 * file's SHA-256). Entries are sorted and dated 1980-01-01, so a wheel built twice from the same sources is the same
 * file. Byte code, caches and hidden files are left out.
 */
final class WheelBuilder {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?");
    private static final Pattern PEP440 = Pattern.compile("[0-9]+(\\.[0-9]+)*((a|b|rc)[0-9]+)?(\\.post[0-9]+)?(\\.dev[0-9]+)?");
    private static final LocalDateTime ZIP_EPOCH = LocalDateTime.of(1980, 1, 1, 0, 0);

    /** What goes into METADATA besides the name and version. */
    record Metadata(String summary, String requiresPython, List<String> requires) {
        Metadata {
            requireNonNull(summary, "summary is null");
            requireNonNull(requiresPython, "requiresPython is null");
            requires = List.copyOf(requires);
        }
    }

    private WheelBuilder() {}

    /** A Maven version as PEP 440 has it: {@code 0.1.0-SNAPSHOT} → {@code 0.1.0.dev0}. */
    static String pythonVersion(String mavenVersion) {
        String version = mavenVersion.endsWith("-SNAPSHOT")
                ? mavenVersion.substring(0, mavenVersion.length() - "-SNAPSHOT".length()) + ".dev0"
                : mavenVersion;
        if (!PEP440.matcher(version).matches()) {
            throw new ImageBuildException("Version '%s' has no PEP 440 form (expected e.g. 1.2.3 or 1.2.3-SNAPSHOT)"
                    .formatted(mavenVersion));
        }
        return version;
    }

    /** The wheel's file name for {@code distribution} at {@code version}. */
    static String fileName(String distribution, String version) {
        return normalize(distribution) + "-" + version + "-py3-none-any.whl";
    }

    /**
     * Writes {@code <output>/<name>-<version>-py3-none-any.whl} holding the packages under {@code sources} (each
     * directory of it with an {@code __init__.py}, and the files beside it); returns the wheel.
     */
    static Path build(String distribution, String version, Metadata metadata, Path sources, String entryPoints,
            Path output) throws IOException {
        if (!NAME.matcher(distribution).matches()) {
            throw new ImageBuildException("'%s' is not a distribution name".formatted(distribution));
        }
        if (!PEP440.matcher(version).matches()) {
            throw new ImageBuildException("'%s' is not a PEP 440 version".formatted(version));
        }
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> packages = Files.list(sources)) {
            for (Path top : packages.sorted().toList()) {
                if (!Files.isRegularFile(top.resolve("__init__.py"))) {
                    throw new ImageBuildException(("%s is not a Python package (no __init__.py): only packages belong "
                            + "in %s").formatted(top, sources));
                }
                try (Stream<Path> tree = Files.walk(top)) {
                    for (Path file : tree.filter(Files::isRegularFile).sorted().toList()) {
                        String relative = sources.relativize(file).toString().replace('\\', '/');
                        if (included(relative)) {
                            files.put(relative, Files.readAllBytes(file));
                        }
                    }
                }
            }
        }
        if (files.isEmpty()) {
            throw new ImageBuildException("No Python package under " + sources);
        }
        String distInfo = normalize(distribution) + "-" + version + ".dist-info/";
        StringBuilder meta = new StringBuilder()
                .append("Metadata-Version: 2.1\n")
                .append("Name: ").append(distribution).append('\n')
                .append("Version: ").append(version).append('\n')
                .append("Summary: ").append(metadata.summary().strip().replaceAll("\\s+", " ")).append('\n')
                .append("Requires-Python: ").append(metadata.requiresPython()).append('\n');
        metadata.requires().forEach(requirement -> meta.append("Requires-Dist: ").append(requirement).append('\n'));
        files.put(distInfo + "METADATA", meta.toString().getBytes(StandardCharsets.UTF_8));
        files.put(distInfo + "WHEEL", """
                Wheel-Version: 1.0
                Generator: image-maven-plugin
                Root-Is-Purelib: true
                Tag: py3-none-any
                """.getBytes(StandardCharsets.UTF_8));
        if (entryPoints != null && !entryPoints.isBlank()) {
            files.put(distInfo + "entry_points.txt", entryPoints.strip().concat("\n").getBytes(StandardCharsets.UTF_8));
        }
        StringBuilder record = new StringBuilder();
        files.forEach((name, content) -> record.append(name).append(",sha256=")
                .append(Base64.getUrlEncoder().withoutPadding().encodeToString(Digests.sha256().digest(content)))
                .append(',').append(content.length).append('\n'));
        record.append(distInfo).append("RECORD,,\n");

        // The dist-info directory last, RECORD last of all (what installers expect).
        List<Map.Entry<String, byte[]>> ordered = new ArrayList<>();
        files.entrySet().stream().filter(entry -> !entry.getKey().startsWith(distInfo)).forEach(ordered::add);
        files.entrySet().stream().filter(entry -> entry.getKey().startsWith(distInfo)).forEach(ordered::add);
        ordered.add(Map.entry(distInfo + "RECORD", record.toString().getBytes(StandardCharsets.UTF_8)));

        Files.createDirectories(output);
        Path wheel = output.resolve(fileName(distribution, version));
        Path partial = wheel.resolveSibling(wheel.getFileName() + ".partial");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> entry : ordered) {
                ZipEntry zipEntry = new ZipEntry(entry.getKey());
                zipEntry.setTimeLocal(ZIP_EPOCH);
                zip.putNextEntry(zipEntry);
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        }
        try (OutputStream out = Files.newOutputStream(partial)) {
            bytes.writeTo(out);
        }
        Files.move(partial, wheel, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return wheel;
    }

    private static boolean included(String relative) {
        for (String part : relative.split("/")) {
            if (part.startsWith(".") || part.equals("__pycache__")) {
                return false;
            }
        }
        return !relative.endsWith(".pyc") && !relative.endsWith(".pyo");
    }

    /** The wheel's spelling of a distribution name (PEP 427/503): runs of '-', '_', '.' become one '_'. */
    static String normalize(String distribution) {
        return distribution.replaceAll("[-_.]+", "_").toLowerCase(java.util.Locale.ROOT);
    }
}
