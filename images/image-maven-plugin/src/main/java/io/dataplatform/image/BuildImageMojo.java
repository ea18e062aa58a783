package io.dataplatform.image;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.project.MavenProject;

/**
 * Builds the module's image as {@code target/image.tar} (docker-archive), {@code target/image.json} and
 * {@code target/image.id}.
 */
@Mojo(name = "build", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true,
        requiresDependencyResolution = ResolutionScope.COMPILE_PLUS_RUNTIME)
public class BuildImageMojo extends AbstractDebianMojo {
    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    /** Repository name without namespace or registry, e.g. {@code jre-25}. */
    @Parameter(required = true)
    private String name;

    /** The component version the tag starts with, from a version property of the root pom. */
    @Parameter(required = true)
    private String version;

    @Parameter(defaultValue = "1")
    private String revision;

    @Parameter(property = "platform.registry")
    private String registry;

    @Parameter(defaultValue = "platform")
    private String namespace;

    @Parameter(defaultValue = "unknown")
    private String sourceUrl;

    /** The image this one extends: a docker-archive written by another image module. */
    @Parameter
    private File from;

    /**
     * Another image on the same base as {@code from} whose own layers this image adds (e.g. the Spark image's over
     * the Airflow image): {@code <overlay><archive>…</archive><entrypointVariable>…</entrypointVariable></overlay>}.
     */
    @Parameter
    private Overlay overlay;

    /** The {@code <overlay>} element. */
    public static class Overlay {
        private File archive;
        private String entrypointVariable;
    }

    @Parameter(property = "image.debianCache", defaultValue = "${user.home}/.cache/dataplatform/debian")
    private File debianCache;

    /** Write /var/lib/dpkg/status.d so image scanners see the Debian packages. */
    @Parameter(defaultValue = "true")
    private boolean dpkgStatus;

    @Parameter
    private List<User> users = new ArrayList<>();

    @Parameter
    private List<Link> links = new ArrayList<>();

    /** Directories owned by a user (data directories, volume mount points), e.g. owner 1000, mode 0750. */
    @Parameter
    private List<Directory> directories = new ArrayList<>();

    /**
     * A Debian package of the lock whose upstream version must equal {@code version}, so that the tag never claims a
     * version the image does not hold (e.g. krb5-kdc for the KDC image).
     */
    @Parameter
    private String versionPackage;

    /** Files copied into the image as they are (modes kept), e.g. /etc/nsswitch.conf. */
    @Parameter(defaultValue = "${project.basedir}/src/main/rootfs")
    private File rootfs;

    /** Generate /etc/ssl/certs/ca-certificates.crt from the ca-certificates package. */
    @Parameter(defaultValue = "false")
    private boolean caBundle;

    @Parameter
    private Jre jre;

    /** Distributions to unpack into the image, each its own layer (hard links kept), e.g. the Trino server. */
    @Parameter
    private List<Archive> archives = new ArrayList<>();

    @Parameter
    private List<Tree> trees = new ArrayList<>();

    @Parameter
    private Map<String, String> env = new LinkedHashMap<>();

    @Parameter
    private Map<String, String> labels = new LinkedHashMap<>();

    @Parameter
    private String title;

    @Parameter
    private String user;

    @Parameter
    private String workingDirectory;

    @Parameter
    private List<String> entrypoint;

    @Parameter
    private List<String> cmd;

    /** A command Docker runs to check health ({@code CMD} form). */
    @Parameter
    private List<String> healthcheck;

    /** How often Docker runs the health check, in seconds (a JVM-based check may want more than the default). */
    @Parameter(defaultValue = "10")
    private int healthcheckInterval;

    /** How long one health check may take, in seconds. */
    @Parameter(defaultValue = "5")
    private int healthcheckTimeout;

    @Parameter
    private List<String> exposedPorts = new ArrayList<>();

    @Parameter(defaultValue = "${project.build.directory}/image.tar")
    private File outputArchive;

    @Parameter(property = "image.skip", defaultValue = "false")
    private boolean skip;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        // The reference is written even when the image is skipped: the Argo CD pin tooling reads it
        // (ci/pins after a quick `./mvnw package -Dimage.skip`).
        writeReference();
        if (skip) {
            getLog().info("Skipping the image build (image.skip)");
            return;
        }
        try {
            ImageSpec spec = spec();
            getLog().info("Building " + spec.name().reference());
            long start = System.nanoTime();
            ImageBuilder.Result result = new ImageBuilder(getLog()::info, GitRevision.of(project.getBasedir().toPath()))
                    .build(spec);
            getLog().info("Built %s: image id %s, %d MB, in %.1f s".formatted(result.reference(), result.imageId(),
                    result.archiveSize() >> 20, (System.nanoTime() - start) / 1e9));
        }
        catch (ImageBuildException e) {
            throw new MojoFailureException(e.getMessage(), e);
        }
        catch (IOException e) {
            throw new MojoExecutionException("Cannot build the image: " + e.getMessage(), e);
        }
    }

    /** {@code target/image.reference}: the reference this module builds, e.g. {@code platform/trino:476-1}. */
    private void writeReference() throws MojoExecutionException {
        String reference = new ImageSpec.ImageName(registry, namespace, name, version, revision).reference();
        java.nio.file.Path file = outputArchive.toPath().resolveSibling("image.reference");
        try {
            java.nio.file.Files.createDirectories(file.getParent());
            java.nio.file.Files.writeString(file, reference + "\n");
        }
        catch (IOException e) {
            throw new MojoExecutionException("Cannot write " + file, e);
        }
    }

    private void checkVersionPackage() {
        if (debianLock == null) {
            throw new ImageBuildException("versionPackage needs a debianLock");
        }
        DebianLock.LockedPackage locked = DebianLock.read(debianLock.toPath()).packages().stream()
                .filter(each -> each.name().equals(versionPackage))
                .findFirst()
                .orElseThrow(() -> new ImageBuildException("versionPackage %s is not in %s"
                        .formatted(versionPackage, debianLock)));
        String upstream = locked.version().replaceFirst("^[0-9]+:", "").replaceFirst("-[^-]*$", "");
        if (!upstream.equals(version)) {
            throw new ImageBuildException(("%s locks %s %s, but the image version is %s: update the version property "
                    + "in the root pom").formatted(debianLock, versionPackage, locked.version(), version));
        }
    }

    /** The file of a dependency given as {@code groupId:artifactId[:classifier]}. */
    private java.nio.file.Path resolve(String coordinates) {
        String[] parts = coordinates.split(":");
        for (Artifact artifact : project.getArtifacts()) {
            if (artifact.getGroupId().equals(parts[0]) && artifact.getArtifactId().equals(parts[1])
                    && (parts.length < 3 || parts[2].equals(artifact.getClassifier()))) {
                return artifact.getFile().toPath();
            }
        }
        throw new ImageBuildException("Archive %s is not a dependency of %s: declare it (with its type) in the pom"
                .formatted(coordinates, project.getArtifactId()));
    }

    private ImageSpec spec() {
        ImageSpec.ImageName imageName = new ImageSpec.ImageName(registry, namespace, name, version, revision);
        if (versionPackage != null) {
            checkVersionPackage();
        }
        Optional<ImageSpec.DebianPart> debian = Optional.ofNullable(debianLock)
                .map(lock -> new ImageSpec.DebianPart(lock.toPath(), debianCache.toPath(),
                        inheritedDebianLocks.stream().map(File::toPath).toList(), debianPackages, debianExcludes));
        TreeMap<String, String> linkMap = new TreeMap<>();
        for (Link link : links) {
            linkMap.put(link.path, link.target);
        }
        ImageSpec.Conventions conventions = new ImageSpec.Conventions(
                users.stream().map(User::toSpec).toList(),
                directories.stream().map(Directory::toSpec).toList(),
                linkMap,
                Optional.ofNullable(rootfs).filter(File::isDirectory).map(File::toPath),
                caBundle,
                dpkgStatus);
        Optional<ImageSpec.JrePart> jrePart = Optional.ofNullable(jre).map(value -> new ImageSpec.JrePart(
                value.jdkHome.toPath(), value.version, value.modules, value.path));
        List<ImageSpec.ArchivePart> archiveParts = archives.stream().map(archive -> new ImageSpec.ArchivePart(
                resolve(archive.artifact), archive.stripComponents, archive.includes,
                archive.excludes == null ? List.of() : archive.excludes, archive.path)).toList();
        List<ImageSpec.TreePart> treeParts = trees.stream()
                .map(tree -> new ImageSpec.TreePart(tree.source.toPath(), tree.path)).toList();

        TreeMap<String, String> allLabels = new TreeMap<>(ImageSpec.ociLabels(imageName,
                title == null ? name : title, sourceUrl));
        allLabels.putAll(labels);
        ImageSpec.RuntimeConfig runtime = new ImageSpec.RuntimeConfig(new TreeMap<>(env), allLabels,
                Optional.ofNullable(user), Optional.ofNullable(workingDirectory), Optional.ofNullable(entrypoint),
                Optional.ofNullable(cmd), Optional.ofNullable(healthcheck), exposedPorts, healthcheckInterval,
                healthcheckTimeout);
        File buildDirectory = new File(project.getBuild().getDirectory());
        Optional<ImageSpec.OverlayPart> overlayPart = Optional.ofNullable(overlay).map(value -> new ImageSpec.OverlayPart(
                value.archive.toPath(), value.entrypointVariable));
        return new ImageSpec(imageName, Optional.ofNullable(from).map(File::toPath), overlayPart, debian, conventions, jrePart,
                archiveParts, treeParts, runtime, buildDirectory.toPath().resolve("image-build"),
                buildDirectory.toPath().resolve("image-layer-cache"), outputArchive.toPath(),
                buildDirectory.toPath().resolve("image.json"));
    }
}
