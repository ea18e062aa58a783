package io.dataplatform.image;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;
import org.apache.maven.project.MavenProject;

/**
 * Installs the wheels of the module's {@code python.lock} into a directory that stands for the image's root (an
 * image {@code <tree>} then adds it as one layer): every wheel downloaded once into the cache, verified against its
 * SHA-256, installed without pip. The lock must pin {@code versionWheel} at {@code version}, so that the image's tag
 * never claims a version the image does not hold (a version bump without a refresh fails here). The module's
 * dependencies of type {@code whl} — wheels this reactor builds ({@code build-wheel}) — are installed after them.
 */
@Mojo(name = "install-wheels", defaultPhase = LifecyclePhase.PREPARE_PACKAGE, threadSafe = true,
        requiresDependencyResolution = ResolutionScope.RUNTIME)
public class InstallWheelsMojo extends AbstractMojo {
    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    @Parameter(defaultValue = "${project.basedir}/python.lock")
    private File pythonLock;

    @Parameter(property = "image.wheelCache", defaultValue = "${user.home}/.cache/dataplatform/wheels")
    private File wheelCache;

    @Parameter(defaultValue = "${project.build.directory}", readonly = true)
    private File buildDirectory;

    @Parameter(defaultValue = "${project.build.directory}/python-root")
    private File outputDirectory;

    /** The installation's prefix in the image (the data scheme), e.g. {@code /usr/local}. */
    @Parameter(defaultValue = "/usr/local")
    private String prefix;

    /** Where modules go, e.g. {@code /usr/local/lib/python3.13/dist-packages} (on Debian's sys.path). */
    @Parameter(required = true)
    private String sitePackages;

    @Parameter(defaultValue = "/usr/local/bin")
    private String scripts;

    /** The interpreter scripts run with, e.g. {@code /usr/bin/python3.13}. */
    @Parameter(required = true)
    private String interpreter;

    /** The distribution whose version the image's tag carries (e.g. apache-airflow), and that version. */
    @Parameter
    private String versionWheel;

    @Parameter
    private String version;

    @Parameter(property = "image.skip", defaultValue = "false")
    private boolean skip;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            return;
        }
        try {
            PythonLock lock = PythonLock.read(pythonLock.toPath());
            if (versionWheel != null) {
                lock.requireVersion(versionWheel, version, pythonLock.getName());
            }
            Path root = outputDirectory.toPath();
            deleteTree(root);
            Files.createDirectories(root);
            PackageCache cache = new PackageCache(wheelCache.toPath());
            WheelInstaller installer = new WheelInstaller(new WheelInstaller.Scheme(prefix, sitePackages, scripts,
                    interpreter), root);
            List<String> entryPoints = new ArrayList<>();
            Path built = buildDirectory.toPath().resolve("sdist-wheels");
            for (PythonLock.Wheel wheel : lock.wheels()) {
                Path file = cache.fetch(wheel);
                if (SourceDistribution.is(file)) {
                    file = SourceDistribution.wheel(wheel, file, built);
                }
                entryPoints.addAll(installer.install(wheel, file));
            }
            int reactorWheels = 0;
            for (org.apache.maven.artifact.Artifact artifact : project.getArtifacts()) {
                if ("whl".equals(artifact.getType())) {
                    Path file = artifact.getFile().toPath();
                    entryPoints.addAll(installer.install(new PythonLock.Wheel(artifact.getArtifactId(),
                            artifact.getVersion(), Digests.sha256(file), file.toUri().toString()), file));
                    reactorWheels++;
                }
            }
            getLog().info("Installed %d wheels of %s and %d built by this reactor into %s (%d scripts in %s)"
                    .formatted(lock.wheels().size(), pythonLock.getName(), reactorWheels, sitePackages, entryPoints.size(),
                            scripts));
        }
        catch (ImageBuildException e) {
            throw new MojoFailureException(e.getMessage(), e);
        }
        catch (IOException e) {
            throw new MojoExecutionException("Cannot install the wheels: " + e.getMessage(), e);
        }
    }

    /** Deletes {@code root} and everything under it, if it exists. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
