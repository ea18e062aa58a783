package io.dataplatform.hadoop.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The configuration directory a process reads ({@code HADOOP_CONF_DIR}), prepared at start: every template is
 * rendered from the environment unless a file of the same name is mounted (a ConfigMap), which is then used as is;
 * other mounted files are copied too. Everything is rendered before anything is written, so bad input changes
 * nothing.
 */
public final class ConfigurationDirectory {
    /** Where a deployment mounts files that replace templates (optional). */
    public static final Path MOUNTED = Path.of("/etc/hadoop/conf");
    /** Where the prepared files go: the images' {@code HADOOP_CONF_DIR}. */
    public static final Path RUNTIME = Path.of("/run/hadoop/conf");

    private ConfigurationDirectory() {}

    /**
     * Prepares {@code output}. Returns one line per file saying where it came from.
     *
     * @throws ConfigurationException listing every variable that is missing or invalid, with nothing written
     */
    public static List<String> prepare(List<Template> templates, Variables variables, Path mounted, Path output) {
        List<Template> rendered = templates.stream()
                .filter(template -> !Files.isRegularFile(mounted.resolve(template.fileName())))
                .toList();
        // One line per problem, naming every file that needs the variable.
        Map<String, List<String>> problems = new LinkedHashMap<>();
        for (Template template : rendered) {
            template.problems(variables).values().forEach(problem ->
                    problems.computeIfAbsent(problem, key -> new ArrayList<>()).add(template.fileName()));
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems.entrySet().stream()
                    .map(problem -> problem.getKey() + "; needed by " + String.join(", ", problem.getValue()))
                    .toList());
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        List<String> report = new ArrayList<>();
        for (Template template : rendered) {
            files.put(template.fileName(), template.render(variables).getBytes(StandardCharsets.UTF_8));
            report.add(template.fileName() + ": rendered from the environment");
        }
        for (Path file : mountedFiles(mounted)) {
            String name = file.getFileName().toString();
            try {
                files.put(name, Files.readAllBytes(file));
            }
            catch (IOException e) {
                throw new UncheckedIOException("cannot read the mounted " + file, e);
            }
            report.add(name + ": mounted " + file);
        }
        write(files, output);
        return report;
    }

    /** Owner-only: prepared files may hold secrets (a keystore or JDBC password) and only the process reads them. */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /**
     * Writes each file (name → content) to {@code output}, each replaced atomically and readable by its owner only
     * (0600, set when the file is created, so no other user can ever open it).
     */
    public static void write(Map<String, byte[]> files, Path output) {
        try {
            Files.createDirectories(output);
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                Path temporary = output.resolve("." + file.getKey() + ".tmp");
                Files.deleteIfExists(temporary);
                Files.createFile(temporary, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                Files.write(temporary, file.getValue());
                Files.move(temporary, output.resolve(file.getKey()), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot write the configuration to " + output, e);
        }
    }

    /** Regular files of the mounted directory; Kubernetes' "..data" links and other hidden entries are skipped. */
    private static List<Path> mountedFiles(Path mounted) {
        if (!Files.isDirectory(mounted)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(mounted)) {
            return entries.filter(path -> !path.getFileName().toString().startsWith("."))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList();
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot list " + mounted, e);
        }
    }
}
