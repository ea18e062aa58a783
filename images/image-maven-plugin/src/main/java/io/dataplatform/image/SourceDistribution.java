package io.dataplatform.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * A pure-Python source distribution ({@code .tar.gz}) of a package PyPI serves no wheel of — PySpark — turned into the
 * wheel a PEP 517 backend would build: its packages' files and the metadata of its
 * {@code PKG-INFO} ({@link WheelBuilder}: sorted, dated 1980, the same wheel every time). Refused when it holds
 * anything that would need compiling: such a package must come as a wheel.
 */
final class SourceDistribution {
    static final String SUFFIX = ".tar.gz";
    private static final Set<String> COMPILED = Set.of(".c", ".h", ".cc", ".cpp", ".pyx", ".pxd", ".rs", ".f90", ".so");

    /** What PKG-INFO says; the requirements are its Requires-Dist lines, markers included. */
    record Info(String name, String version, String summary, String requiresPython, List<String> requires) {}

    private SourceDistribution() {}

    private static final java.util.regex.Pattern EXTRA_MARKER = java.util.regex.Pattern.compile(
            "extra\\s*==\\s*['\"]([A-Za-z0-9._-]+)['\"]");

    /**
     * The requirements of {@code requiresDist} for an installation with {@code extras}: those without an extra marker,
     * and those of a wanted extra without their marker (pip, which resolves them, knows no extras of a package it
     * does not install itself).
     */
    static List<String> requirements(List<String> requiresDist, java.util.Set<String> extras) {
        List<String> requirements = new ArrayList<>();
        for (String requirement : requiresDist) {
            int semicolon = requirement.indexOf(';');
            if (semicolon < 0) {
                requirements.add(requirement.strip());
                continue;
            }
            java.util.regex.Matcher extra = EXTRA_MARKER.matcher(requirement.substring(semicolon + 1));
            if (!extra.find()) {
                requirements.add(requirement.strip());
            }
            else if (extras.contains(extra.group(1))) {
                requirements.add(requirement.substring(0, semicolon).strip());
            }
        }
        return requirements.stream().distinct().toList();
    }

    static boolean is(Path file) {
        return file.getFileName().toString().endsWith(SUFFIX);
    }

    /** Reads the archive's top-level {@code PKG-INFO}. */
    static Info info(Path archive) throws IOException {
        return scan(archive).info();
    }

    /** What one pass over the archive finds: its {@code PKG-INFO}, and its packages (top-level directories with an
     * {@code __init__.py}). */
    private record Contents(Info info, Set<String> packages) {}

    private static Contents scan(Path archive) throws IOException {
        Info info = null;
        Set<String> packages = new java.util.TreeSet<>();
        try (TarArchiveInputStream tar = open(archive)) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                String[] parts = entry.getName().split("/");
                if (info == null && entry.getName().matches("[^/]+/PKG-INFO")) {
                    info = parse(new String(tar.readAllBytes(), StandardCharsets.UTF_8), archive);
                }
                else if (entry.isFile() && parts.length == 3 && parts[2].equals("__init__.py")) {
                    packages.add(parts[1]);
                }
            }
        }
        if (info == null) {
            throw new ImageBuildException("%s has no PKG-INFO: it is not a source distribution".formatted(
                    archive.getFileName()));
        }
        return new Contents(info, packages);
    }

    static Info parse(String pkgInfo, Path archive) {
        String name = null;
        String version = null;
        String summary = "";
        String requiresPython = "";
        List<String> requires = new ArrayList<>();
        for (String line : pkgInfo.split("\n")) {
            if (line.isEmpty()) {
                break; // the description follows the headers
            }
            int colon = line.indexOf(':');
            if (colon < 0 || line.startsWith(" ") || line.startsWith("\t")) {
                continue;
            }
            String value = line.substring(colon + 1).strip();
            switch (line.substring(0, colon).toLowerCase(Locale.ROOT)) {
                case "name" -> name = value;
                case "version" -> version = value;
                case "summary" -> summary = value;
                case "requires-python" -> requiresPython = value;
                case "requires-dist" -> requires.add(value);
                default -> { }
            }
        }
        if (name == null || version == null) {
            throw new ImageBuildException("%s: its PKG-INFO names no Name or no Version".formatted(archive.getFileName()));
        }
        return new Info(name, version, summary, requiresPython, requires);
    }

    /**
     * Builds the wheel of {@code pin} from its source distribution {@code archive} into {@code output}; returns it.
     *
     * @throws ImageBuildException when the archive is not {@code pin}'s, or holds code to compile
     */
    static Path wheel(PythonLock.Wheel pin, Path archive, Path output) throws IOException {
        Contents contents = scan(archive);
        Info info = contents.info();
        if (!PythonLock.normalize(info.name()).equals(PythonLock.normalize(pin.name()))
                || !info.version().equals(pin.version())) {
            throw new ImageBuildException("%s is %s==%s, but the lock pins %s".formatted(archive.getFileName(),
                    info.name(), info.version(), pin));
        }
        // The packages alone: the top-level directories that hold an __init__.py (not setup.py, PKG-INFO, egg-info, or
        // what a setup.py maps in from elsewhere, such as pyspark's 400 MB of jars under deps/).
        Set<String> packages = contents.packages();
        if (packages.isEmpty()) {
            throw new ImageBuildException("%s holds no Python package (no top-level directory with an __init__.py)"
                    .formatted(archive.getFileName()));
        }
        Path sources = output.resolve(PythonLock.normalize(pin.name()) + "-" + pin.version() + "-packages");
        InstallWheelsMojo.deleteTree(sources);
        Files.createDirectories(sources);
        try (TarArchiveInputStream tar = open(archive)) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                String name = entry.getName();
                int slash = name.indexOf('/');
                if (!entry.isFile() || slash < 0) {
                    continue;
                }
                String relative = name.substring(slash + 1);
                int next = relative.indexOf('/');
                if (next < 0 || !packages.contains(relative.substring(0, next))) {
                    continue;
                }
                if (List.of(relative.split("/")).contains("..")) {
                    throw new ImageBuildException("%s has an entry outside its tree: '%s'".formatted(
                            archive.getFileName(), name));
                }
                String lower = relative.toLowerCase(Locale.ROOT);
                if (COMPILED.stream().anyMatch(lower::endsWith)) {
                    throw new ImageBuildException(("%s is not pure Python (%s would need compiling): pin a wheel of "
                            + "%s instead").formatted(archive.getFileName(), relative, pin.name()));
                }
                Path target = sources.resolve(relative);
                Files.createDirectories(target.getParent());
                Files.write(target, tar.readAllBytes());
            }
        }
        Path wheel = WheelBuilder.build(info.name(), info.version(), new WheelBuilder.Metadata(info.summary(),
                info.requiresPython(), info.requires()), sources, null, output);
        InstallWheelsMojo.deleteTree(sources);
        return wheel;
    }

    private static TarArchiveInputStream open(Path archive) throws IOException {
        InputStream input = Files.newInputStream(archive);
        try {
            return new TarArchiveInputStream(new GzipCompressorInputStream(input));
        }
        catch (IOException e) {
            input.close();
            throw new ImageBuildException("%s is not a gzipped tar archive: %s".formatted(archive.getFileName(),
                    e.getMessage()), e);
        }
    }
}
