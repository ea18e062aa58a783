package io.dataplatform.gitops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The image pins of the Argo CD tree: every {@code images:} entry of a kustomization.yaml that names a platform image
 * ({@code - name: platform/trino} with {@code newTag}, and after a publish {@code newName} and {@code digest}), and
 * every literal {@code platform/<image>:<tag>} in a manifest. They must name what the reactor builds; {@code write}
 * makes them so, changing nothing else in the files.
 *
 * <p>Usage: {@code ImagePins check|write|bump [--dry-run] <argocd directory> <images directory>}: {@code bump}
 * pins the digests of a publish ({@code images/*}{@code /target/jib-image.json}). Exit 1 when a pin disagrees (check)
 * or on bad input.
 */
public final class ImagePins {
    private static final Pattern ENTRY = Pattern.compile("^(\\s*)- name: (\\S*platform/[a-z0-9-]+)\\s*$");
    private static final Pattern FIELD = Pattern.compile("^(\\s+)(newTag|newName|digest): *(\\S*)\\s*$");
    /** An environment's image line in the hub's environments.yaml: its key's indent, its tag. */
    private static final Pattern ENVIRONMENT_IMAGE = Pattern.compile("^(\\s*(?:- )?)image:\\s*platform/[a-z0-9-]+:(\\S+)\\s*$");
    private static final Pattern PREVIOUS = Pattern.compile("^(\\s*)previous:\\s*\\[([^\\]]*)\\]\\s*$");
    /** {@code platform/<image>:<tag>}, and its digest when pinned by one. */
    private static final Pattern LITERAL = Pattern.compile(
            "(?<![\\w/.-])platform/([a-z0-9-]+):([0-9A-Za-z_][0-9A-Za-z_.-]*)(@sha256:[0-9a-f]{64})?");

    private ImagePins() {}

    /** A pin that disagrees with the reactor, or a platform image the reactor does not build. */
    public record Problem(Path file, int line, String message) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + message;
        }
    }

    public static List<Problem> check(Path argocd, ReactorImages reactor) {
        List<Problem> problems = new ArrayList<>(NotebookEnvironments.check(argocd, reactor));
        for (Path file : yamlFiles(argocd)) {
            List<String> lines = read(file);
            if (file.getFileName().toString().equals("kustomization.yaml")) {
                for (Pin pin : pins(lines)) {
                    String expected = reactor.tags().get(pin.repository());
                    String tag = pin.fields().get("newTag");
                    int line = pin.line() + 1;
                    if (expected == null) {
                        problems.add(new Problem(file, line, pin.repository() + " is not an image this reactor builds"));
                    }
                    else if (tag == null) {
                        problems.add(new Problem(file, line, pin.repository() + " has no newTag: pin " + expected));
                    }
                    else if (!tag.equals(expected)) {
                        problems.add(new Problem(file, line, "%s is pinned to %s but the reactor builds %s: run ci/pins write"
                                .formatted(pin.repository(), tag, expected)));
                    }
                }
            }
            for (int i = 0; i < lines.size(); i++) {
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
        return update(argocd, dryRun, (repository, fields) -> {
            String expected = reactor.tags().get(repository);
            if (expected == null || expected.equals(fields.get("newTag"))) {
                return null;
            }
            Map<String, String> updated = new LinkedHashMap<>(fields);
            updated.put("newTag", expected);
            updated.remove("digest");
            return updated;
        }, (repository, before, after) -> "%s %s -> %s".formatted(repository, before.get("newTag"), after.get("newTag")));
    }

    /**
     * After a publish: pins every published image to {@code registry/platform/<image>:<tag>@sha256:<digest>} from
     * its {@code jib-image.json} — in the kustomizations' images, and as {@code platform/<image>:<tag>@sha256:<digest>}
     * where a program reads the reference (the hub's environments; a re-tagged environment keeps its old tag, digest
     * and all, under previous). Returns one line per change; with {@code dryRun}, writes nothing.
     */
    public static List<String> bump(Path argocd, List<PublishedImage> published, boolean dryRun) {
        Map<String, PublishedImage> byRepository = new LinkedHashMap<>();
        published.forEach(image -> byRepository.put(image.platformRepository(), image));
        requireWritableEnvironments(argocd);
        List<String> changes = new ArrayList<>(update(argocd, dryRun, (repository, fields) -> {
            PublishedImage image = byRepository.get(repository);
            if (image == null) {
                return null;
            }
            Map<String, String> updated = new LinkedHashMap<>();
            updated.put("newName", image.repository());
            updated.put("newTag", image.tag());
            updated.put("digest", image.digest());
            return updated.equals(fields) ? null : updated;
        }, (repository, before, after) -> "%s -> %s:%s@%s".formatted(repository, after.get("newName"),
                after.get("newTag"), after.get("digest"))));
        changes.addAll(bumpLiterals(argocd, published, dryRun));
        return changes;
    }

    /** How the fields (newName, newTag, digest) of one pin change; {@code null} for no change. */
    private interface Change {
        Map<String, String> apply(String repository, Map<String, String> fields);
    }

    private interface Report {
        String line(String repository, Map<String, String> before, Map<String, String> after);
    }

    /**
     * Sets every literal {@code platform/<image>:<tag>} outside the kustomizations (a list of images a program reads,
     * such as the hub's environments.yaml) to the reactor's tag; a literal whose tag changes loses its digest. Returns
     * one line per change; with {@code dryRun}, writes nothing.
     */
    public static List<String> writeLiterals(Path argocd, ReactorImages reactor, boolean dryRun) {
        return updateLiterals(argocd, dryRun, (repository, tag, digest) -> {
            String expected = reactor.tags().get(repository);
            return expected == null || expected.equals(tag) ? null : repository + ":" + expected;
        });
    }

    /**
     * After a publish: every literal of a published image outside the kustomizations becomes
     * {@code platform/<image>:<tag>@sha256:<digest>} (the registry is the reader's: the hub's NOTEBOOK_IMAGE_REGISTRY).
     */
    static List<String> bumpLiterals(Path argocd, List<PublishedImage> published, boolean dryRun) {
        Map<String, PublishedImage> byRepository = new LinkedHashMap<>();
        published.forEach(image -> byRepository.put(image.platformRepository(), image));
        return updateLiterals(argocd, dryRun, (repository, tag, digest) -> {
            PublishedImage image = byRepository.get(repository);
            return image == null || image.tag().equals(tag) && image.digest().equals(digest) ? null
                    : repository + ":" + image.tag() + "@" + image.digest();
        });
    }

    /** The new literal for one literal found ({@code digest} null when it has none); {@code null} for no change. */
    private interface LiteralChange {
        String apply(String repository, String tag, String digest);
    }

    /**
     * Refuses a tree whose environments file the writer could not extend (its previous tags in another shape than
     * a flow list on one line): named with its lines, before anything is written.
     */
    static void requireWritableEnvironments(Path argocd) {
        Path environments = argocd.resolve(NotebookEnvironments.FILE);
        List<Problem> problems = Files.isRegularFile(environments) ? NotebookEnvironments.previousLists(environments)
                : List.of();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.stream().map(Problem::toString)
                    .collect(Collectors.joining("; ")) + ": nothing written");
        }
    }

    private static List<String> updateLiterals(Path argocd, boolean dryRun, LiteralChange change) {
        requireWritableEnvironments(argocd);
        Path environmentsFile = argocd.resolve(NotebookEnvironments.FILE);
        List<String> changes = new ArrayList<>();
        for (Path file : yamlFiles(argocd)) {
            if (file.getFileName().toString().equals("kustomization.yaml")) {
                continue;
            }
            List<String> lines = new ArrayList<>(read(file));
            boolean changed = false;
            boolean environments = file.equals(environmentsFile);
            for (int i = 0; i < lines.size(); i++) {
                String before = lines.get(i);
                Matcher literal = LITERAL.matcher(lines.get(i));
                StringBuilder line = new StringBuilder();
                boolean retagged = false;
                while (literal.find()) {
                    String repository = "platform/" + literal.group(1);
                    String digest = literal.group(3) == null ? null : literal.group(3).substring(1);
                    String replacement = change.apply(repository, literal.group(2), digest);
                    if (replacement == null) {
                        replacement = literal.group();
                    }
                    else {
                        changes.add("%s:%d: %s -> %s".formatted(argocd.relativize(file), i + 1, literal.group(),
                                replacement));
                        retagged |= !replacement.startsWith(repository + ":" + literal.group(2) + "@");
                        changed = true;
                    }
                    literal.appendReplacement(line, Matcher.quoteReplacement(replacement));
                }
                literal.appendTail(line);
                lines.set(i, line.toString());
                Matcher image = ENVIRONMENT_IMAGE.matcher(before);
                if (environments && retagged && image.matches()) {
                    changes.add(keepPrevious(lines, i, image.group(1), image.group(2))
                            .formatted(argocd.relativize(file), image.group(2)));
                }
            }
            if (changed && !dryRun) {
                write(file, lines);
            }
        }
        return changes;
    }

    /**
     * A hub environment whose image gets a new tag keeps offering the old one: {@code tag} goes first in the entry's
     * {@code previous:} list (a flow list, added after the image line when there is none), so users switch when they
     * are ready and can switch back (the platform team drops old tags from the list when it retires them). Returns
     * the report line's format (file, tag).
     */
    private static String keepPrevious(List<String> lines, int imageLine, String prefix, String tag) {
        String indent = prefix.replace('-', ' ');
        int keys = indent.length();
        int start = imageLine;
        while (start > 0 && !entryStart(lines.get(start), keys)
                && (lines.get(start - 1).isBlank() || rawIndent(lines.get(start - 1)) >= keys - 2)) {
            start--;
        }
        int end = imageLine + 1;
        while (end < lines.size() && (lines.get(end).isBlank() || rawIndent(lines.get(end)) >= keys)) {
            end++;
        }
        for (int i = start; i < end; i++) {
            Matcher previous = PREVIOUS.matcher(lines.get(i).replaceFirst("^(\\s*)- ", "$1  "));
            if (previous.matches() && previous.group(1).length() == keys) {
                List<String> tags = new ArrayList<>(List.of(tag));
                for (String earlier : previous.group(2).split(",")) {
                    String unquoted = earlier.strip().replaceAll("^[\"']|[\"']$", "");
                    if (!unquoted.isEmpty() && !tags.contains(unquoted)) {
                        tags.add(unquoted);
                    }
                }
                String head = lines.get(i).substring(0, keys);
                lines.set(i, head + "previous: [" + String.join(", ", tags.stream()
                        .map(earlier -> "\"" + earlier + "\"").toList()) + "]");
                return "%s:" + (i + 1) + ": keeps %s under previous";
            }
        }
        lines.add(imageLine + 1, indent + "previous: [\"" + tag + "\"]");
        return "%s:" + (imageLine + 2) + ": keeps %s under previous";
    }

    private static boolean entryStart(String line, int keys) {
        return rawIndent(line) == keys - 2 && line.stripLeading().startsWith("- ");
    }

    private static int rawIndent(String line) {
        return line.length() - line.stripLeading().length();
    }

    private static List<String> update(Path argocd, boolean dryRun, Change change, Report report) {
        List<String> changes = new ArrayList<>();
        for (Path file : yamlFiles(argocd)) {
            if (!file.getFileName().toString().equals("kustomization.yaml")) {
                continue;
            }
            List<String> lines = new ArrayList<>(read(file));
            boolean changed = false;
            List<Pin> pins = pins(lines);
            List<String> fileChanges = new ArrayList<>();
            // From the last pin up, so that the line numbers of the others stay valid.
            for (int k = pins.size() - 1; k >= 0; k--) {
                Pin pin = pins.get(k);
                Map<String, String> updated = change.apply(pin.repository(), pin.fields());
                if (updated == null) {
                    continue;
                }
                for (int j = pin.fieldLines().size() - 1; j >= 0; j--) {
                    lines.remove((int) pin.fieldLines().get(j));
                }
                int at = pin.line() + 1;
                for (String name : List.of("newName", "newTag", "digest")) {
                    if (updated.containsKey(name)) {
                        lines.add(at++, pin.indent() + name + ": " + updated.get(name));
                    }
                }
                fileChanges.add(0, argocd.relativize(file) + ": " + report.line(pin.repository(), pin.fields(), updated));
                changed = true;
            }
            changes.addAll(fileChanges);
            if (changed && !dryRun) {
                write(file, lines);
            }
        }
        return changes;
    }

    private static void write(Path file, List<String> lines) {
        try {
            Files.write(file, lines);
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static void main(String[] args) {
        boolean dryRun = List.of(args).contains("--dry-run");
        List<String> positional = Stream.of(args).filter(arg -> !arg.startsWith("--")).toList();
        if (positional.size() != 3 || !List.of("check", "write", "bump").contains(positional.get(0))) {
            System.err.println("usage: ImagePins check|write|bump [--dry-run] <argocd directory> <images directory>");
            System.exit(2);
        }
        Path argocd = Path.of(positional.get(1));
        if (positional.get(0).equals("bump")) {
            List<PublishedImage> published = PublishedImage.readAll(Path.of(positional.get(2)));
            List<String> changes = refusedOr(() -> bump(argocd, published, dryRun));
            changes.forEach(change -> System.out.println((dryRun ? "would pin " : "pinned ") + change));
            if (changes.isEmpty()) {
                System.out.println("pins: already the published digests");
            }
            return;
        }
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
        List<String> changes = refusedOr(() -> {
            requireWritableEnvironments(argocd);
            List<String> all = new ArrayList<>(write(argocd, reactor, dryRun));
            all.addAll(writeLiterals(argocd, reactor, dryRun));
            return all;
        });
        changes.forEach(change -> System.out.println((dryRun ? "would pin " : "pinned ") + change));
        if (changes.isEmpty()) {
            System.out.println("pins: already what the reactor builds");
        }
    }

    /** A platform image entry of a kustomization's {@code images:}: its line, fields and their lines. */
    private record Pin(int line, String repository, String indent, Map<String, String> fields, List<Integer> fieldLines) {}

    private static List<Pin> pins(List<String> lines) {
        List<Pin> pins = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher entry = ENTRY.matcher(lines.get(i));
            if (!entry.matches()) {
                continue;
            }
            Map<String, String> fields = new LinkedHashMap<>();
            List<Integer> fieldLines = new ArrayList<>();
            for (int j = i + 1; j < blockEnd(lines, i); j++) {
                Matcher field = FIELD.matcher(lines.get(j));
                if (field.matches()) {
                    fields.put(field.group(2), field.group(3));
                    fieldLines.add(j);
                }
            }
            pins.add(new Pin(i, entry.group(2).substring(entry.group(2).indexOf("platform/")), entry.group(1) + "  ",
                    fields, fieldLines));
        }
        return pins;
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

    /** The changes {@code writing} makes, or, when it refuses the tree, its reason on stderr and exit status 1. */
    private static List<String> refusedOr(java.util.function.Supplier<List<String>> writing) {
        try {
            return writing.get();
        }
        catch (IllegalArgumentException refused) {
            System.err.println("pins: " + refused.getMessage());
            System.exit(1);
            return List.of();
        }
    }
}
