package io.dataplatform.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

import static java.util.Objects.requireNonNull;

/**
 * Installs wheels the way pip would, without pip or a Python at build time (the image's interpreter is another
 * version than the build machine's): the wheel's files into site-packages, its {@code .data} directories into their
 * schemes (purelib and platlib → site-packages, scripts → bin with the image's interpreter, data → the prefix), and a
 * script per console and GUI entry point. Modes are 0644, or 0755 for scripts and files the wheel marks executable;
 * no byte code is compiled (it would not be reproducible without the image's interpreter).
 */
final class WheelInstaller {
    private static final Pattern ENTRY_POINT = Pattern.compile(
            "([A-Za-z0-9][A-Za-z0-9._-]*)\\s*=\\s*([A-Za-z_][A-Za-z0-9_.]*)\\s*:\\s*([A-Za-z_][A-Za-z0-9_.]*)\\s*(\\[.*])?");

    /** Where the schemes go inside the image, and which interpreter scripts name. */
    record Scheme(String prefix, String sitePackages, String scripts, String interpreter) {
        Scheme {
            requireNonNull(prefix, "prefix is null");
            requireNonNull(sitePackages, "sitePackages is null");
            requireNonNull(scripts, "scripts is null");
            requireNonNull(interpreter, "interpreter is null");
        }
    }

    private final Scheme scheme;
    private final Path root;

    /** Installs into {@code root}, a directory standing for the image's {@code /}. */
    WheelInstaller(Scheme scheme, Path root) {
        this.scheme = requireNonNull(scheme, "scheme is null");
        this.root = requireNonNull(root, "root is null");
    }

    /** Installs {@code wheel} (the file of {@code pin}); returns the entry-point scripts it wrote. */
    List<String> install(PythonLock.Wheel pin, Path wheel) throws IOException {
        List<String> scripts = new ArrayList<>();
        try (ZipFile zip = ZipFile.builder().setPath(wheel).get()) {
            List<ZipArchiveEntry> entries = Collections.list(zip.getEntries());
            String distInfo = null;
            for (ZipArchiveEntry entry : entries) {
                String name = entry.getName();
                if (name.matches("[^/]+\\.dist-info/WHEEL")) {
                    distInfo = name.substring(0, name.indexOf('/'));
                }
            }
            if (distInfo == null) {
                throw new ImageBuildException("%s (%s) is not a wheel: it has no .dist-info/WHEEL".formatted(pin,
                        wheel.getFileName()));
            }
            String dataDirectory = distInfo.substring(0, distInfo.length() - ".dist-info".length()) + ".data/";
            for (ZipArchiveEntry entry : entries) {
                String name = entry.getName();
                if (entry.isDirectory()) {
                    continue;
                }
                if (name.startsWith("/") || name.contains("\\") || List.of(name.split("/")).contains("..")) {
                    throw new ImageBuildException("%s (%s) has an entry outside its tree: '%s'".formatted(pin,
                            wheel.getFileName(), name));
                }
                byte[] content;
                try (InputStream input = zip.getInputStream(entry)) {
                    content = input.readAllBytes();
                }
                // Tools some wheels carry beside their modules keep their executable bit.
                boolean executable = (entry.getUnixMode() & 0100) != 0;
                if (name.startsWith(dataDirectory)) {
                    String rest = name.substring(dataDirectory.length());
                    String schemeName = rest.substring(0, Math.max(rest.indexOf('/'), 0));
                    String path = rest.substring(rest.indexOf('/') + 1);
                    switch (schemeName) {
                        case "purelib", "platlib" -> write(scheme.sitePackages() + "/" + path, content, executable);
                        case "scripts" -> write(scheme.scripts() + "/" + path, shebang(content), true);
                        case "data" -> write(scheme.prefix() + "/" + path, content, executable);
                        case "headers" -> write(scheme.prefix() + "/include/" + pin.name() + "/" + path, content,
                                false);
                        default -> throw new ImageBuildException("%s (%s): unknown scheme '%s' in '%s'".formatted(pin,
                                wheel.getFileName(), schemeName, name));
                    }
                }
                else {
                    write(scheme.sitePackages() + "/" + name, content, executable);
                }
            }
            write(scheme.sitePackages() + "/" + distInfo + "/INSTALLER",
                    "image-maven-plugin\n".getBytes(StandardCharsets.UTF_8), false);
            ZipArchiveEntry entryPoints = zip.getEntry(distInfo + "/entry_points.txt");
            if (entryPoints != null) {
                String text;
                try (InputStream input = zip.getInputStream(entryPoints)) {
                    text = new String(input.readAllBytes(), StandardCharsets.UTF_8);
                }
                for (Map.Entry<String, String> script : consoleScripts(text, pin).entrySet()) {
                    write(scheme.scripts() + "/" + script.getKey(), script.getValue().getBytes(StandardCharsets.UTF_8),
                            true);
                    scripts.add(script.getKey());
                }
            }
        }
        return scripts;
    }

    /** The scripts of {@code [console_scripts]} and {@code [gui_scripts]}, by name, in pip's form. */
    Map<String, String> consoleScripts(String entryPoints, PythonLock.Wheel pin) {
        Map<String, String> scripts = new TreeMap<>();
        String section = "";
        for (String raw : entryPoints.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                section = line;
                continue;
            }
            if (!section.equals("[console_scripts]") && !section.equals("[gui_scripts]")) {
                continue;
            }
            Matcher matcher = ENTRY_POINT.matcher(line);
            if (!matcher.matches()) {
                throw new ImageBuildException("%s: entry point '%s' of %s is not 'name = module:attribute'"
                        .formatted(pin, line, section));
            }
            String module = matcher.group(2);
            String attribute = matcher.group(3);
            String top = attribute.contains(".") ? attribute.substring(0, attribute.indexOf('.')) : attribute;
            scripts.put(matcher.group(1), """
                    #!%s
                    # -*- coding: utf-8 -*-
                    import re
                    import sys
                    from %s import %s
                    if __name__ == "__main__":
                        sys.argv[0] = re.sub(r"(-script\\.pyw|\\.exe)?$", "", sys.argv[0])
                        sys.exit(%s())
                    """.formatted(scheme.interpreter(), module, top, attribute));
        }
        return scripts;
    }

    /** A scheme script's {@code #!python} line becomes the image's interpreter (wheels leave it generic). */
    private byte[] shebang(byte[] content) {
        String start = new String(content, 0, Math.min(content.length, 64), StandardCharsets.ISO_8859_1);
        if (!start.startsWith("#!python")) {
            return content;
        }
        int end = indexOf(content, (byte) '\n');
        ByteArrayOutputStream result = new ByteArrayOutputStream();
        result.writeBytes(("#!" + scheme.interpreter()).getBytes(StandardCharsets.UTF_8));
        result.write(content, end < 0 ? content.length : end, end < 0 ? 0 : content.length - end);
        return result.toByteArray();
    }

    private static int indexOf(byte[] content, byte value) {
        for (int i = 0; i < content.length; i++) {
            if (content[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private void write(String imagePath, byte[] content, boolean executable) throws IOException {
        Path target = root.resolve(imagePath.replaceFirst("^/+", ""));
        Files.createDirectories(target.getParent());
        Files.write(target, content);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
    }
}
