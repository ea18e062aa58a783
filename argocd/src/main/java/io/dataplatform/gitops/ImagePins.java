package io.dataplatform.gitops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The image pins of the Argo CD tree: every {@code images:} entry of a kustomization.yaml that names a platform image
 * ({@code - name: platform/trino} with {@code newTag}, and after a publish {@code newName} and {@code digest}), and
 * every literal {@code platform/<image>:<tag>} in a manifest. They must name what the reactor builds; {@code write}
 * makes them so, changing nothing else in the files.
 *
 * <p>Usage: {@code ImagePins check|write [--dry-run] <argocd directory> <images directory>}. Exit 1 when a pin
 * disagrees (check) or on bad input.
 */
public final class ImagePins {
    private static final Pattern ENTRY = Pattern.compile("^(\\s*)- name: (\\S*platform/[a-z0-9-]+)\\s*$");
    private static final Pattern FIELD = Pattern.compile("^(\\s+)(newTag|newName|digest): *(\\S*)\\s*$");
    private static final Pattern LITERAL = Pattern.compile("(?<![\\w/.-])platform/([a-z0-9-]+):([0-9A-Za-z_][0-9A-Za-z_.-]*)");

    private ImagePins() {}

    /** A pin that disagrees with the reactor, or a platform image the reactor does not build. */
    public record Problem(Path file, int line, String message) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + message;
        }
    }

    public static List<Problem> check(Path argocd, ReactorImages reactor) {
        List<Problem> problems = new ArrayList<>();
        for (Path file : yamlFiles(argocd)) {
            List<String> lines = read(file);
            for (int i = 0; i < lines.size(); i++) {
                Matcher entry = ENTRY.matcher(lines.get(i));
                if (entry.matches() && file.getFileName().toString().equals("kustomization.yaml")) {
                    String repository = entry.group(2).substring(entry.group(2).indexOf("platform/"));
                    String expected = reactor.tags().get(repository);
                    String tag = field(lines, i, "newTag");
                    if (expected == null) {
                        problems.add(new Problem(file, i + 1, repository + " is not an image this reactor builds"));
                    }
                    else if (tag == null) {
                        problems.add(new Problem(file, i + 1, repository + " has no newTag: pin " + expected));
                    }
                    else if (!tag.equals(expected)) {
                        problems.add(new Problem(file, i + 1, "%s is pinned to %s but the reactor builds %s: run ci/pins write"
                                .formatted(repository, tag, expected)));
                    }
                }
                Matcher literal = LITERAL.matcher(lines.get(i));
                while (literal.find()) {
                    String repository = "platform/" + literal.group(1);
                    String expected = reactor.tags().get(repository);
                    if (expected == null) {
                        problems.add(new Problem(file, i + 1, repository + " is not an image this reactor builds"));
                    }
                    else if (!literal.group(2).equals(expected)) {
                        problems.add(new Problem(file, i + 1, "%s:%s is not what the reactor builds (%s): pin it in the kustomization's images, or run ci/pins write"
                                .formatted(repository, literal.group(2), expected)));
                    }
                }
            }
        }
        return problems;
    }

    /**
     * Sets every kustomization pin to the reactor's tag; a pin whose tag changes loses its digest (the digest of the
     * new tag comes with its publish). Returns one line per change; with {@code dryRun}, writes nothing.
     */
    public static List<String> write(Path argocd, ReactorImages reactor, boolean dryRun) {
        List<String> changes = new ArrayList<>();
        for (Path file : yamlFiles(argocd)) {
            if (!file.getFileName().toString().equals("kustomization.yaml")) {
                continue;
            }
            List<String> lines = new ArrayList<>(read(file));
            boolean changed = false;
            for (int i = 0; i < lines.size(); i++) {
                Matcher entry = ENTRY.matcher(lines.get(i));
                if (!entry.matches()) {
                    continue;
                }
                String repository = entry.group(2).substring(entry.group(2).indexOf("platform/"));
                String expected = reactor.tags().get(repository);
                if (expected == null) {
                    continue;
                }
                int end = blockEnd(lines, i);
                int tagLine = -1;
                for (int j = i + 1; j < end; j++) {
                    Matcher field = FIELD.matcher(lines.get(j));
                    if (field.matches() && field.group(2).equals("newTag")) {
                        tagLine = j;
                    }
                }
                String current = tagLine < 0 ? null : FIELD.matcher(lines.get(tagLine)).replaceFirst("$3");
                if (expected.equals(current)) {
                    continue;
                }
                String indent = entry.group(1) + "  ";
                if (tagLine < 0) {
                    lines.add(i + 1, indent + "newTag: " + expected);
                    end++;
                }
                else {
                    lines.set(tagLine, indent + "newTag: " + expected);
                }
                for (int j = end - 1; j > i; j--) {
                    Matcher field = FIELD.matcher(lines.get(j));
                    if (field.matches() && field.group(2).equals("digest")) {
                        lines.remove(j);
                    }
                }
                changes.add("%s: %s %s -> %s".formatted(argocd.relativize(file), repository, current, expected));
                changed = true;
            }
            if (changed && !dryRun) {
                try {
                    Files.write(file, lines);
                }
                catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + file, e);
                }
            }
        }
        return changes;
    }

    public static void main(String[] args) {
        boolean dryRun = List.of(args).contains("--dry-run");
        List<String> positional = Stream.of(args).filter(arg -> !arg.startsWith("--")).toList();
        if (positional.size() != 3 || !List.of("check", "write").contains(positional.get(0))) {
            System.err.println("usage: ImagePins check|write [--dry-run] <argocd directory> <images directory>");
            System.exit(2);
        }
        Path argocd = Path.of(positional.get(1));
        ReactorImages reactor = ReactorImages.read(Path.of(positional.get(2)));
        if (positional.get(0).equals("check")) {
            List<Problem> problems = check(argocd, reactor);
            problems.forEach(problem -> System.err.println("pins: " + problem));
            if (!problems.isEmpty()) {
                System.exit(1);
            }
            System.out.println("pins: every platform image in " + argocd + " is what the reactor builds " + reactor.tags());
            return;
        }
        List<String> changes = write(argocd, reactor, dryRun);
        changes.forEach(change -> System.out.println((dryRun ? "would pin " : "pinned ") + change));
        if (changes.isEmpty()) {
            System.out.println("pins: already what the reactor builds");
        }
    }

    private static String field(List<String> lines, int entry, String name) {
        for (int j = entry + 1; j < blockEnd(lines, entry); j++) {
            Matcher field = FIELD.matcher(lines.get(j));
            if (field.matches() && field.group(2).equals(name)) {
                return field.group(3);
            }
        }
        return null;
    }

    /** The line after an images entry: the next entry, or the first line indented no deeper than its dash. */
    private static int blockEnd(List<String> lines, int entry) {
        int dash = lines.get(entry).indexOf('-');
        for (int j = entry + 1; j < lines.size(); j++) {
            String line = lines.get(j);
            if (line.isBlank()) {
                continue;
            }
            int indent = line.length() - line.stripLeading().length();
            if (indent <= dash) {
                return j;
            }
        }
        return lines.size();
    }

    private static List<Path> yamlFiles(Path argocd) {
        try (Stream<Path> files = Files.walk(argocd)) {
            return files.filter(path -> path.toString().endsWith(".yaml") || path.toString().endsWith(".yml"))
                    .filter(path -> !argocd.relativize(path).startsWith("validator"))
                    .filter(path -> !argocd.relativize(path).startsWith("target"))
                    .filter(path -> !argocd.relativize(path).startsWith("src"))
                    .sorted()
                    .toList();
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot list " + argocd, e);
        }
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
