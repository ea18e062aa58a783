package io.dataplatform.image;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.maven.artifact.Artifact;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;
import org.apache.maven.project.MavenProject;

/**
 * Verifies every Maven artifact the module resolves outside the reactor (all scopes but test: what it ships and what
 * it compiles against) against the module's {@code maven.lock}; with {@code -Dmaven.lock.refresh=true} writes the
 * lock instead ({@code images/refresh-maven-locks}). A module that resolves nothing from outside needs no lock.
 */
@Mojo(name = "verify-maven-lock", defaultPhase = LifecyclePhase.PREPARE_PACKAGE, threadSafe = true,
        requiresDependencyResolution = ResolutionScope.COMPILE_PLUS_RUNTIME)
public class VerifyMavenLockMojo extends AbstractMojo {
    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    @Parameter(defaultValue = "${project.basedir}/maven.lock")
    private File mavenLock;

    /** Artifacts of this group are built by the reactor itself (their inputs are the repository). */
    @Parameter(defaultValue = "io.dataplatform")
    private String reactorGroupId;

    @Parameter(property = "maven.lock.refresh", defaultValue = "false")
    private boolean refresh;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (!project.getModules().isEmpty()) {
            // An aggregator (e.g. trino-plugins) ships nothing of its own; each of its modules has its own lock.
            return;
        }
        List<MavenLock.Resolved> artifacts = new ArrayList<>();
        for (Artifact artifact : project.getArtifacts()) {
            if (artifact.getGroupId().equals(reactorGroupId) || Artifact.SCOPE_TEST.equals(artifact.getScope())) {
                continue;
            }
            if (artifact.getFile() == null || !artifact.getFile().isFile()) {
                throw new MojoExecutionException("%s was not resolved to a file".formatted(artifact));
            }
            artifacts.add(new MavenLock.Resolved(coordinates(artifact), artifact.getFile().toPath()));
        }
        Path lock = mavenLock.toPath();
        String lockName = relativeToRoot(lock);
        try {
            if (refresh) {
                if (artifacts.isEmpty()) {
                    java.nio.file.Files.deleteIfExists(lock);
                    return;
                }
                MavenLock.of(artifacts).write(lock);
                getLog().info("Wrote %s: %d artifacts".formatted(lockName, artifacts.size()));
                return;
            }
            if (artifacts.isEmpty() && !mavenLock.exists()) {
                return;
            }
            MavenLock.read(lock).verify(artifacts, lockName);
            getLog().info("%s: %d artifacts verified".formatted(lockName, artifacts.size()));
        }
        catch (ImageBuildException e) {
            throw new MojoFailureException(e.getMessage(), e);
        }
        catch (IOException e) {
            throw new MojoExecutionException("Cannot write " + lock, e);
        }
    }

    static String coordinates(Artifact artifact) {
        String coordinates = String.join(":", artifact.getGroupId(), artifact.getArtifactId(),
                artifact.getBaseVersion(), artifact.getType());
        return artifact.hasClassifier() ? coordinates + ":" + artifact.getClassifier() : coordinates;
    }

    /** The lock's path from the repository root (the top-most parent directory with a pom.xml), for messages. */
    private String relativeToRoot(Path lock) {
        Path root = project.getBasedir().toPath().toAbsolutePath();
        for (Path current = root; current != null; current = current.getParent()) {
            if (java.nio.file.Files.isRegularFile(current.resolve("pom.xml"))
                    && java.nio.file.Files.isRegularFile(current.resolve("mvnw"))) {
                root = current;
                break;
            }
        }
        return root.relativize(lock.toAbsolutePath()).toString();
    }
}
