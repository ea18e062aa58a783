package io.dataplatform.image;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.apache.maven.project.MavenProjectHelper;

/**
 * Packs the module's Python packages into a reproducible wheel ({@link WheelBuilder}) and attaches it to the project
 * as type {@code whl}: an image module depending on it ({@code <type>whl</type>}) installs it with
 * {@code install-wheels}, next to its lock's wheels.
 */
@Mojo(name = "build-wheel", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class BuildWheelMojo extends AbstractMojo {
    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    @Component
    private MavenProjectHelper projectHelper;

    /** The distribution's name, e.g. {@code dataplatform-airflow-providers}. */
    @Parameter(required = true)
    private String distribution;

    @Parameter(defaultValue = "${project.version}")
    private String version;

    @Parameter(defaultValue = "${project.description}")
    private String summary;

    @Parameter(required = true)
    private String requiresPython;

    @Parameter
    private List<String> requires = List.of();

    /** The directory holding the packages. */
    @Parameter(defaultValue = "${project.basedir}/src")
    private File sources;

    /** The {@code entry_points.txt} to ship, if any. */
    @Parameter(defaultValue = "${project.basedir}/entry_points.txt")
    private File entryPoints;

    @Parameter(defaultValue = "${project.build.directory}")
    private File outputDirectory;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        try {
            String entryPointsText = entryPoints.isFile() ? Files.readString(entryPoints.toPath()) : null;
            Path wheel = WheelBuilder.build(distribution, WheelBuilder.pythonVersion(version),
                    new WheelBuilder.Metadata(summary == null ? "" : summary, requiresPython, requires),
                    sources.toPath(), entryPointsText, outputDirectory.toPath());
            getLog().info("Built %s (sha256 %s)".formatted(wheel.getFileName(), Digests.sha256(wheel)));
            projectHelper.attachArtifact(project, "whl", wheel.toFile());
        }
        catch (ImageBuildException e) {
            throw new MojoFailureException(e.getMessage(), e);
        }
        catch (IOException e) {
            throw new MojoExecutionException("Cannot build the wheel: " + e.getMessage(), e);
        }
    }
}
