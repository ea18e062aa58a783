package io.dataplatform.gitops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environments JupyterHub offers (apps/jupyterhub/base/environments.yaml) against the notebook images the reactor
 * builds: every {@code platform/notebook*} image must be offered, so a new environment cannot be built and then
 * forgotten. (Their tags are pins like any other: {@link ImagePins}.) An environment's {@code previous:} tags are a flow
 * list on one line ({@code previous: ["2026.10-1"]}): {@code ci/pins write} adds a re-pinned environment's old tag to
 * it, and refuses to write a file with another shape.
 */
public final class NotebookEnvironments {
    static final Path FILE = Path.of("apps/jupyterhub/base/environments.yaml");
    private static final Pattern IMAGE = Pattern.compile("^\\s*(?:-\\s+)?image:\\s*(platform/[a-z0-9-]+):\\S+\\s*$");
    private static final Pattern PREVIOUS_KEY = Pattern.compile("^\\s*(?:-\\s+)?previous:.*$");
    private static final Pattern PREVIOUS_FLOW = Pattern.compile("^\\s*(?:-\\s+)?previous:\\s*\\[[^\\]\\[]*\\]\\s*(#.*)?$");

    private NotebookEnvironments() {}

    public static List<ImagePins.Problem> check(Path argocd, ReactorImages reactor) {
        Path file = argocd.resolve(FILE);
        List<String> notebooks = reactor.tags().keySet().stream().filter(name -> name.startsWith("platform/notebook"))
                .sorted().toList();
        List<ImagePins.Problem> problems = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            if (!notebooks.isEmpty()) {
                problems.add(new ImagePins.Problem(file, 0, "missing: the hub's environments must offer " + notebooks));
            }
            return problems;
        }
        List<String> offered = new ArrayList<>();
        for (String line : read(file)) {
            Matcher image = IMAGE.matcher(line);
            if (image.matches()) {
                offered.add(image.group(1));
            }
        }
        problems.addAll(previousLists(file));
        for (String notebook : notebooks) {
            if (!offered.contains(notebook)) {
                problems.add(new ImagePins.Problem(file, 1, notebook + " is built by the reactor but not offered: add "
                        + "an environment with image: " + notebook + ":" + reactor.tags().get(notebook)));
            }
        }
        return problems;
    }

    /** Every {@code previous:} of {@code file} that is not a flow list on one line, with its line. */
    static List<ImagePins.Problem> previousLists(Path file) {
        List<ImagePins.Problem> problems = new ArrayList<>();
        List<String> lines = read(file);
        for (int i = 0; i < lines.size(); i++) {
            if (PREVIOUS_KEY.matcher(lines.get(i)).matches() && !PREVIOUS_FLOW.matcher(lines.get(i)).matches()) {
                problems.add(new ImagePins.Problem(file, i + 1, "previous: is a list of tags on one line, e.g. "
                        + "previous: [\"2026.10-1\"] (ci/pins write adds an environment's old tag to it)"));
            }
        }
        return problems;
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
