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
 * forgotten. (Their tags are pins like any other: {@link ImagePins}.)
 */
public final class NotebookEnvironments {
    static final Path FILE = Path.of("apps/jupyterhub/base/environments.yaml");
    private static final Pattern IMAGE = Pattern.compile("^\\s*(?:-\\s+)?image:\\s*(platform/[a-z0-9-]+):\\S+\\s*$");

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
        try {
            for (String line : Files.readAllLines(file)) {
                Matcher image = IMAGE.matcher(line);
                if (image.matches()) {
                    offered.add(image.group(1));
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        for (String notebook : notebooks) {
            if (!offered.contains(notebook)) {
                problems.add(new ImagePins.Problem(file, 1, notebook + " is built by the reactor but not offered: add "
                        + "an environment with image: " + notebook + ":" + reactor.tags().get(notebook)));
            }
        }
        return problems;
    }
}
