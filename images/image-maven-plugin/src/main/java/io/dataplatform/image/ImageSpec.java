package io.dataplatform.image;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * Everything one image is made of, in layer order: the base image (if any), the Debian packages of a lock, the
 * OS conventions (users, links, files, CA bundle), a jlink'ed JRE, and directory trees. Every part is optional.
 */
public record ImageSpec(
        ImageName name,
        Optional<Path> base,
        Optional<OverlayPart> overlay,
        Optional<DebianPart> debian,
        Conventions conventions,
        Optional<JrePart> jre,
        List<ArchivePart> archives,
        List<TreePart> trees,
        RuntimeConfig runtime,
        Path workDirectory,
        Path layerCache,
        Path outputArchive,
        Path outputMetadata) {
    public ImageSpec {
        requireNonNull(name, "name is null");
        requireNonNull(base, "base is null");
        requireNonNull(overlay, "overlay is null");
        requireNonNull(debian, "debian is null");
        requireNonNull(conventions, "conventions is null");
        requireNonNull(jre, "jre is null");
        archives = List.copyOf(archives);
        trees = List.copyOf(trees);
        requireNonNull(runtime, "runtime is null");
        requireNonNull(workDirectory, "workDirectory is null");
        requireNonNull(layerCache, "layerCache is null");
        requireNonNull(outputArchive, "outputArchive is null");
        requireNonNull(outputMetadata, "outputMetadata is null");
    }

    /**
     * {@code [registry/]namespace/name:tag}; the tag is the component version plus the platform revision, so that
     * an image can be republished (new revision) without an upstream change.
     */
    public record ImageName(String registry, String namespace, String name, String version, String revision) {
        public ImageName {
            requireNonNull(name, "name is null");
            requireNonNull(version, "version is null");
            requireNonNull(revision, "revision is null");
            registry = registry == null ? "" : registry.strip();
            namespace = namespace == null ? "" : namespace.strip();
            if (!name.matches("[a-z0-9]+([._-][a-z0-9]+)*")) {
                throw new ImageBuildException("Image name '%s' is not a valid repository name".formatted(name));
            }
            if (!tag(version, revision).matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")) {
                throw new ImageBuildException("Image tag '%s' is not a valid tag".formatted(tag(version, revision)));
            }
        }

        public String repository() {
            String path = namespace.isEmpty() ? name : namespace + "/" + name;
            return registry.isEmpty() ? path : registry.replaceAll("/+$", "") + "/" + path;
        }

        public String tag() {
            return tag(version, revision);
        }

        public String reference() {
            return repository() + ":" + tag();
        }

        private static String tag(String version, String revision) {
            return version + "-" + revision;
        }
    }

    public record DebianPart(Path lock, Path cacheDirectory, List<Path> inheritedLocks, List<String> packages,
            List<String> excludes) {
        public DebianPart {
            requireNonNull(lock, "lock is null");
            requireNonNull(cacheDirectory, "cacheDirectory is null");
            inheritedLocks = List.copyOf(inheritedLocks);
            packages = List.copyOf(packages);
            excludes = List.copyOf(excludes);
        }
    }

    /** A system user (and its group of the same id) with a home directory it owns. */
    public record User(String name, int uid, String home, String shell) {
        public User {
            requireNonNull(name, "name is null");
            requireNonNull(home, "home is null");
            shell = shell == null ? "/usr/sbin/nologin" : shell;
            if (!name.matches("[a-z_][a-z0-9_-]{0,31}")) {
                throw new ImageBuildException("'%s' is not a valid user name".formatted(name));
            }
            if (uid < 1 || uid > 65533) {
                throw new ImageBuildException("User %s: uid %d is out of range 1..65533".formatted(name, uid));
            }
        }
    }

    /** A directory the image's user must own, such as a data directory or a volume's mount point. */
    public record OwnedDirectory(String path, int uid, int mode) {
        public OwnedDirectory {
            requireNonNull(path, "path is null");
            if (mode < 0 || mode > 07777) {
                throw new ImageBuildException("Directory %s: mode %o is not a file mode".formatted(path, mode));
            }
        }
    }

    public record Conventions(List<User> users, List<OwnedDirectory> directories, SortedMap<String, String> links,
            Optional<Path> rootfs, boolean caBundle, boolean dpkgStatus) {
        public Conventions {
            users = List.copyOf(users);
            directories = List.copyOf(directories);
            links = new TreeMap<>(links);
            requireNonNull(rootfs, "rootfs is null");
        }

        public static Conventions none() {
            return new Conventions(List.of(), List.of(), new TreeMap<>(), Optional.empty(), false, false);
        }

        boolean isEmpty() {
            return users.isEmpty() && directories.isEmpty() && links.isEmpty() && rootfs.isEmpty() && !caBundle;
        }
    }

    public record JrePart(Path jdkHome, String version, List<String> modules, String path) {
        public JrePart {
            requireNonNull(jdkHome, "jdkHome is null");
            requireNonNull(version, "version is null");
            modules = List.copyOf(modules);
            requireNonNull(path, "path is null");
            if (modules.isEmpty()) {
                throw new ImageBuildException("A JRE needs at least one module");
            }
        }
    }

    /** Selected entries of a tar(.gz) distribution, each archive its own layer; see {@link ArchiveLayer}. */
    public record ArchivePart(Path archive, int stripComponents, List<String> includes, List<String> excludes,
            String path) {
        public ArchivePart {
            requireNonNull(archive, "archive is null");
            includes = List.copyOf(includes);
            excludes = List.copyOf(excludes);
            requireNonNull(path, "path is null");
            if (includes.isEmpty()) {
                throw new ImageBuildException("Archive %s: list the entries to include".formatted(archive));
            }
        }
    }

    /**
     * Another image built on the same base as this one's: its layers above the shared ones are added after the base
     * image's (the same layers, so the same digests a node already holds), and its environment merged in. Its
     * entrypoint, which this image replaces, is kept as a JSON list in {@code entrypointVariable}.
     */
    public record OverlayPart(Path archive, String entrypointVariable) {
        public OverlayPart {
            requireNonNull(archive, "archive is null");
            requireNonNull(entrypointVariable, "entrypointVariable is null");
        }
    }

    /** A directory from the build added at {@code path}; hard links and symbolic links are kept. */
    public record TreePart(Path source, String path) {
        public TreePart {
            requireNonNull(source, "source is null");
            requireNonNull(path, "path is null");
        }
    }

    /** What Docker reads at run time; {@code env} and {@code labels} are merged over the base image's. */
    public record RuntimeConfig(
            SortedMap<String, String> env,
            SortedMap<String, String> labels,
            Optional<String> user,
            Optional<String> workingDirectory,
            Optional<List<String>> entrypoint,
            Optional<List<String>> cmd,
            Optional<List<String>> healthcheck,
            List<String> exposedPorts,
            int healthcheckIntervalSeconds,
            int healthcheckTimeoutSeconds) {
        public static final int DEFAULT_HEALTHCHECK_INTERVAL_SECONDS = 10;
        public static final int DEFAULT_HEALTHCHECK_TIMEOUT_SECONDS = 5;

        public RuntimeConfig {
            env = new TreeMap<>(env);
            labels = new TreeMap<>(labels);
            exposedPorts = List.copyOf(exposedPorts);
            if (healthcheckIntervalSeconds < 1 || healthcheckTimeoutSeconds < 1) {
                throw new ImageBuildException("healthcheckInterval and healthcheckTimeout must be at least 1 second");
            }
        }

        public RuntimeConfig(SortedMap<String, String> env, SortedMap<String, String> labels, Optional<String> user,
                Optional<String> workingDirectory, Optional<List<String>> entrypoint, Optional<List<String>> cmd,
                Optional<List<String>> healthcheck, List<String> exposedPorts) {
            this(env, labels, user, workingDirectory, entrypoint, cmd, healthcheck, exposedPorts,
                    DEFAULT_HEALTHCHECK_INTERVAL_SECONDS, DEFAULT_HEALTHCHECK_TIMEOUT_SECONDS);
        }
    }

    /**
     * The OCI labels every image carries. No commit: a label is part of the image configuration, so a commit label
     * would give every image a new digest on every commit, even one that changes nothing the image is made of
     * (and move published tags). The commit a build comes from is provenance kept beside the image
     * ({@code sourceRevision} in {@code target/image.json} and {@code target/jib-image.json}, and the pin commit).
     */
    public static Map<String, String> ociLabels(ImageName name, String title, String sourceUrl) {
        return Map.of(
                "org.opencontainers.image.title", title,
                "org.opencontainers.image.version", name.tag(),
                "org.opencontainers.image.source", sourceUrl,
                "org.opencontainers.image.created", ImageBuilder.EPOCH);
    }
}
