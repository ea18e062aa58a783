package io.dataplatform.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import static io.dataplatform.image.DockerArchive.JSON;
import static java.util.Objects.requireNonNull;

/**
 * Builds an {@link ImageSpec} into a docker-archive. Every input is fetched and verified before anything is
 * written; the archive appears at its final path only when it is complete, so a failed build leaves no image.
 */
public final class ImageBuilder {
    public static final String EPOCH = "1970-01-01T00:00:00Z";
    private static final String CA_BUNDLE = "etc/ssl/certs/ca-certificates.crt";

    private final Consumer<String> log;
    private final String sourceRevision;

    public ImageBuilder(Consumer<String> log) {
        this(log, GitRevision.UNKNOWN);
    }

    /**
     * {@code sourceRevision}: the commit the build comes from, recorded in {@code image.json} — provenance beside the
     * image, never in it (see {@link ImageSpec#ociLabels}).
     */
    public ImageBuilder(Consumer<String> log, String sourceRevision) {
        this.log = requireNonNull(log, "log is null");
        this.sourceRevision = requireNonNull(sourceRevision, "sourceRevision is null");
    }

    public Result build(ImageSpec spec) throws IOException {
        Path work = spec.workDirectory();
        FileTrees.deleteRecursively(work);
        Files.createDirectories(work);
        try {
            return build(spec, work);
        }
        finally {
            // Extracted base layers, the linked JRE and layer tars are all inside the archive now (or useless).
            FileTrees.deleteRecursively(work);
        }
    }

    private Result build(ImageSpec spec, Path work) throws IOException {

        ObjectNode config;
        List<Path> layerFiles = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        ArrayNode history;
        if (spec.base().isPresent()) {
            DockerArchive.Image base = DockerArchive.read(spec.base().get(), work.resolve("base"));
            config = base.config();
            layerFiles.addAll(base.layers());
            config.path("rootfs").path("diff_ids").forEach(id -> diffIds.add(id.asText()));
            if (diffIds.size() != layerFiles.size()) {
                throw new ImageBuildException("Base image %s lists %d layers but holds %d"
                        .formatted(spec.base().get(), diffIds.size(), layerFiles.size()));
            }
            history = config.has("history") ? (ArrayNode) config.get("history") : JSON.createArrayNode();
        }
        else {
            config = JSON.createObjectNode();
            history = JSON.createArrayNode();
        }
        List<LayerResult> written = new ArrayList<>();
        Map<String, String> overlayEnv = new TreeMap<>();
        if (spec.overlay().isPresent()) {
            overlayEnv = overlay(spec, work, layerFiles, diffIds, history, config, written);
        }

        List<Layer> layers = new ArrayList<>();
        // Layers reused from an earlier build of this module: the big, slow-changing ones (a distribution archive).
        List<Path> cachedLayerFiles = new ArrayList<>();
        List<String> cachedLayerNames = new ArrayList<>();
        Layer debianLayer = null;
        if (spec.debian().isPresent()) {
            debianLayer = debianLayer(spec.debian().get(), spec.conventions().dpkgStatus());
            layers.add(debianLayer);
        }
        if (!spec.conventions().isEmpty()) {
            layers.add(conventionsLayer(spec.conventions(), debianLayer));
        }
        if (spec.jre().isPresent()) {
            ImageSpec.JrePart jre = spec.jre().get();
            Path linked = work.resolve("jre");
            log.accept("Linking a Java %s runtime from %s".formatted(jre.version(), jre.jdkHome()));
            Jlink.link(jre.jdkHome(), jre.version(), jre.modules(), linked);
            Layer layer = new Layer("java " + jre.version() + " runtime (jlink " + String.join(",", jre.modules()) + ")");
            layer.addTree(linked, jre.path());
            layers.add(layer);
        }
        for (ImageSpec.ArchivePart archive : spec.archives()) {
            Path cached = spec.layerCache().resolve(ArchiveLayer.cacheKey(archive) + ".tar");
            if (!Files.exists(cached)) {
                log.accept("Reading %s (%s)".formatted(archive.archive().getFileName(), String.join(", ",
                        archive.includes())));
                Layer layer = ArchiveLayer.read(archive.archive(), archive.stripComponents(), archive.includes(),
                        archive.excludes(), archive.path(), work.resolve("archive-" + layers.size()));
                Files.createDirectories(spec.layerCache());
                Path partial = cached.resolveSibling(cached.getFileName() + ".partial");
                LayerTarWriter.Blob blob = LayerTarWriter.write(layer, partial);
                Files.writeString(digestFile(cached), blob.digest());
                Files.move(partial, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            else {
                log.accept("Reusing the layer of %s from %s".formatted(archive.archive().getFileName(), cached));
            }
            cachedLayerFiles.add(cached);
            // Named by what it holds, not by its cache file, whose key comes from this machine's copy of the archive
            // (path, time): the image's configuration, hence its id, must not depend on the machine.
            cachedLayerNames.add("archive layer " + archive.archive().getFileName() + " at " + archive.path());
        }
        for (ImageSpec.TreePart tree : spec.trees()) {
            if (!Files.isDirectory(tree.source())) {
                throw new ImageBuildException("Tree source %s is not a directory".formatted(tree.source()));
            }
            Layer layer = new Layer("tree " + tree.path());
            layer.addTree(tree.source(), tree.path());
            layers.add(layer);
        }

        for (int i = 0; i < cachedLayerFiles.size(); i++) {
            // The cache file name is a key of the inputs; the diff id is the digest of what is in it.
            Path cached = cachedLayerFiles.get(i);
            String digest = Files.readString(digestFile(cached)).strip();
            layerFiles.add(cached);
            diffIds.add(digest);
            String name = cachedLayerNames.get(i);
            history.addObject().put("created", EPOCH).put("created_by", "image-maven-plugin: " + name);
            written.add(new LayerResult(name, digest, Files.size(cached)));
        }
        for (Layer layer : layers) {
            Path file = work.resolve("layer-" + (written.size() + 1) + ".tar");
            LayerTarWriter.Blob blob = LayerTarWriter.write(layer, file);
            layerFiles.add(file);
            diffIds.add(blob.digest());
            ObjectNode entry = history.addObject();
            entry.put("created", EPOCH);
            entry.put("created_by", "image-maven-plugin: " + layer.name());
            written.add(new LayerResult(layer.name(), blob.digest(), blob.size()));
            log.accept("Layer %s: %s, %d MB".formatted(layer.name(), blob.digest(), blob.size() >> 20));
        }

        ObjectNode finalConfig = imageConfig(config, overlayEnv, spec, diffIds, history);
        Path partial = spec.outputArchive().resolveSibling(spec.outputArchive().getFileName() + ".partial");
        try {
            DockerArchive.Written archive = DockerArchive.write(partial, finalConfig, layerFiles, diffIds,
                    List.of(spec.name().reference()));
            String imageId = archive.imageId();
            String archiveSha256 = archive.archive().sha256();
            long size = archive.archive().size();
            Files.move(partial, spec.outputArchive(), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            Result result = new Result(spec.name().reference(), imageId, "sha256:" + archiveSha256, size, written);
            writeMetadata(spec, result);
            return result;
        }
        finally {
            Files.deleteIfExists(partial);
        }
    }

    private static Path digestFile(Path cachedLayer) {
        return cachedLayer.resolveSibling(cachedLayer.getFileName() + ".sha256");
    }

    private Layer debianLayer(ImageSpec.DebianPart debian, boolean dpkgStatus) {
        DebianLock lock = DebianLock.read(debian.lock());
        String lockName = debian.lock().toString();
        if (!debian.packages().isEmpty() && !lock.requested().equals(debian.packages())) {
            throw new ImageBuildException(("%s is stale: the pom asks for packages %s but the lock was resolved for %s. "
                    + "Run the refresh command (README).").formatted(lockName, debian.packages(), lock.requested()));
        }
        if (!lock.excluded().equals(debian.excludes())) {
            throw new ImageBuildException(("%s is stale: the pom excludes %s but the lock was resolved excluding %s. "
                    + "Run the refresh command (README).").formatted(lockName, debian.excludes(), lock.excluded()));
        }
        Set<String> inherited = new HashSet<>();
        for (Path inheritedLock : debian.inheritedLocks()) {
            DebianLock.read(inheritedLock).packages().forEach(each -> inherited.add(each.name()));
        }

        // Fetch and verify everything first: a bad package must fail the build before any layer is written.
        PackageCache cache = new PackageCache(debian.cacheDirectory());
        Map<DebianLock.LockedPackage, Path> debs = new LinkedHashMap<>();
        Map<DebianLock.LockedPackage, ControlStanza> controls = new LinkedHashMap<>();
        for (DebianLock.LockedPackage lockedPackage : lock.packages()) {
            Path deb = cache.fetch(lockedPackage);
            ControlStanza control = DebianPackage.control(deb);
            if (!control.required("Package").equals(lockedPackage.name())
                    || !control.required("Version").equals(lockedPackage.version())) {
                throw new ImageBuildException("%s: the file pinned for %s is %s %s".formatted(lockName, lockedPackage,
                        control.required("Package"), control.required("Version")));
            }
            debs.put(lockedPackage, deb);
            controls.put(lockedPackage, control);
        }
        DebianResolver.checkClosed(controls, new HashSet<>(lock.excluded()), inherited, lockName);
        log.accept("Verified %d Debian packages of %s".formatted(debs.size(), lockName));

        Layer layer = new Layer("debian packages (" + debian.lock().getFileName() + ")");
        debs.forEach((lockedPackage, deb) -> DebianPackage.extractInto(deb, layer));
        if (dpkgStatus) {
            // The distroless convention: one control paragraph per package, which image scanners read.
            controls.forEach((lockedPackage, control) -> layer.addFile("var/lib/dpkg/status.d/" + lockedPackage.name(),
                    0644, control.format().getBytes(StandardCharsets.UTF_8)));
        }
        return layer;
    }

    private static Layer conventionsLayer(ImageSpec.Conventions conventions, Layer debianLayer) {
        Layer layer = new Layer("os conventions");
        conventions.rootfs().ifPresent(rootfs -> layer.addTree(rootfs, ""));
        // Owned directories first: the first declaration of a directory wins, and a link inside one (e.g. a
        // data directory's import/ pointing at files of the image) would otherwise declare it root's.
        for (ImageSpec.OwnedDirectory directory : conventions.directories()) {
            layer.addDirectory(directory.path(), directory.mode(), directory.uid(), directory.uid());
        }
        conventions.links().forEach(layer::addSymlink);
        if (!conventions.users().isEmpty()) {
            StringBuilder passwd = new StringBuilder("root:x:0:0:root:/root:/bin/sh\n");
            StringBuilder group = new StringBuilder("root:x:0:\n");
            for (ImageSpec.User user : conventions.users()) {
                passwd.append("%s:x:%d:%d:%s:%s:%s\n".formatted(user.name(), user.uid(), user.uid(), user.name(),
                        user.home(), user.shell()));
                group.append("%s:x:%d:\n".formatted(user.name(), user.uid()));
                layer.addDirectory(user.home(), 0755, user.uid(), user.uid());
            }
            passwd.append("nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
            group.append("nogroup:x:65534:\n");
            layer.addFile("etc/passwd", 0644, passwd.toString().getBytes(StandardCharsets.UTF_8));
            layer.addFile("etc/group", 0644, group.toString().getBytes(StandardCharsets.UTF_8));
        }
        if (conventions.caBundle()) {
            if (debianLayer == null) {
                throw new ImageBuildException("A CA bundle is made from the ca-certificates package: add a Debian lock");
            }
            List<Layer.Entry> certificates = new ArrayList<>(debianLayer.filesUnder("usr/share/ca-certificates"));
            certificates.removeIf(entry -> !entry.path().endsWith(".crt"));
            certificates.sort(Comparator.comparing(Layer.Entry::path));
            if (certificates.isEmpty()) {
                throw new ImageBuildException("No certificates under /usr/share/ca-certificates: lock ca-certificates");
            }
            // What update-ca-certificates would write: every certificate, concatenated in a stable order.
            ByteArrayOutputStream bundle = new ByteArrayOutputStream();
            for (Layer.Entry certificate : certificates) {
                byte[] bytes = certificate.content().readAllBytes();
                bundle.writeBytes(bytes);
                if (bytes.length > 0 && bytes[bytes.length - 1] != '\n') {
                    bundle.write('\n');
                }
            }
            layer.addFile(CA_BUNDLE, 0644, bundle.toByteArray());
        }
        return layer;
    }

    /**
     * Adds the overlay's layers above those it shares with the base; returns its environment (merged into the base's,
     * which must not set any of its variables differently) plus its entrypoint as a JSON list in the variable named.
     */
    private Map<String, String> overlay(ImageSpec spec, Path work, List<Path> layerFiles, List<String> diffIds,
            ArrayNode history, ObjectNode baseConfig, List<LayerResult> written) throws IOException {
        ImageSpec.OverlayPart overlay = spec.overlay().orElseThrow();
        String name = overlay.archive().getFileName().toString();
        if (spec.base().isEmpty()) {
            throw new ImageBuildException("An overlay (%s) adds layers over a base image: set <from>".formatted(
                    overlay.archive()));
        }
        DockerArchive.Image image = DockerArchive.read(overlay.archive(), work.resolve("overlay"));
        List<String> ids = new ArrayList<>();
        image.config().path("rootfs").path("diff_ids").forEach(id -> ids.add(id.asText()));
        int shared = 0;
        while (shared < ids.size() && shared < diffIds.size() && ids.get(shared).equals(diffIds.get(shared))) {
            shared++;
        }
        if (shared == 0) {
            throw new ImageBuildException("The overlay %s shares no base layer with %s: both must be built on the "
                    .formatted(overlay.archive(), spec.base().get()) + "same image");
        }
        log.accept("Overlay %s: %d shared layers, %d added".formatted(overlay.archive(), shared, ids.size() - shared));
        List<JsonNode> overlayHistory = new ArrayList<>();
        image.config().path("history").forEach(overlayHistory::add);
        for (int index = shared; index < ids.size(); index++) {
            layerFiles.add(image.layers().get(index));
            diffIds.add(ids.get(index));
            String createdBy = index < overlayHistory.size() ? overlayHistory.get(index).path("created_by").asText()
                    : "layer " + index;
            history.addObject().put("created", EPOCH).put("created_by", "overlay of " + name + ": " + createdBy);
            written.add(new LayerResult("overlay " + createdBy, ids.get(index), Files.size(image.layers().get(index))));
        }

        Map<String, String> baseEnv = env(baseConfig.path("config"));
        Map<String, String> env = env(image.config().path("config"));
        for (Map.Entry<String, String> entry : env.entrySet()) {
            String baseValue = baseEnv.get(entry.getKey());
            if (baseValue != null && !baseValue.equals(entry.getValue())) {
                throw new ImageBuildException("The overlay %s sets %s=%s, the base image %s=%s: set it in this module"
                        .formatted(name, entry.getKey(), entry.getValue(), entry.getKey(), baseValue));
            }
        }
        env.put(overlay.entrypointVariable(), JSON.writeValueAsString(image.config().path("config").path("Entrypoint")));
        return env;
    }

    private static Map<String, String> env(JsonNode runtime) {
        Map<String, String> env = new TreeMap<>();
        for (JsonNode entry : runtime.path("Env")) {
            String[] pair = entry.asText().split("=", 2);
            env.put(pair[0], pair.length > 1 ? pair[1] : "");
        }
        return env;
    }

    private static ObjectNode imageConfig(ObjectNode base, Map<String, String> overlayEnv, ImageSpec spec,
            List<String> diffIds, ArrayNode history) {
        JsonNode baseRuntime = base.path("config");
        ImageSpec.RuntimeConfig runtime = spec.runtime();

        Map<String, String> env = env(baseRuntime);
        env.putAll(overlayEnv);
        env.putAll(runtime.env());
        Map<String, String> labels = new TreeMap<>();
        baseRuntime.path("Labels").fields()
                .forEachRemaining(entry -> labels.put(entry.getKey(), entry.getValue().asText()));
        labels.putAll(runtime.labels());

        ObjectNode config = JSON.createObjectNode();
        config.put("architecture", "amd64");
        config.put("os", "linux");
        config.put("created", EPOCH);
        ObjectNode container = config.putObject("config");
        container.put("User", runtime.user().orElse(baseRuntime.path("User").asText("")));
        ArrayNode envArray = container.putArray("Env");
        env.forEach((key, value) -> envArray.add(key + "=" + value));
        putList(container, "Entrypoint", runtime.entrypoint().orElse(textList(baseRuntime.path("Entrypoint"))));
        // As a Dockerfile's ENTRYPOINT does: an image that sets its entrypoint does not inherit the base's command
        // (which would arrive as the entrypoint's arguments, e.g. base-os' /bin/sh).
        putList(container, "Cmd", runtime.cmd().orElse(runtime.entrypoint().isPresent()
                ? List.of() : textList(baseRuntime.path("Cmd"))));
        container.put("WorkingDir", runtime.workingDirectory().orElse(baseRuntime.path("WorkingDir").asText("")));
        ObjectNode labelNode = container.putObject("Labels");
        labels.forEach(labelNode::put);
        List<String> ports = new ArrayList<>();
        baseRuntime.path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
        runtime.exposedPorts().stream().map(port -> port.contains("/") ? port : port + "/tcp")
                .filter(port -> !ports.contains(port)).forEach(ports::add);
        if (!ports.isEmpty()) {
            ObjectNode exposed = container.putObject("ExposedPorts");
            ports.stream().sorted().forEach(port -> exposed.putObject(port));
        }
        if (runtime.healthcheck().isPresent()) {
            ObjectNode healthcheck = container.putObject("Healthcheck");
            ArrayNode test = healthcheck.putArray("Test").add("CMD");
            runtime.healthcheck().get().forEach(test::add);
            healthcheck.put("Interval", runtime.healthcheckIntervalSeconds() * 1_000_000_000L);
            healthcheck.put("Timeout", runtime.healthcheckTimeoutSeconds() * 1_000_000_000L);
            healthcheck.put("StartPeriod", 60_000_000_000L);
            healthcheck.put("Retries", 3);
        }
        else if (baseRuntime.has("Healthcheck")) {
            container.set("Healthcheck", baseRuntime.get("Healthcheck"));
        }
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode ids = rootfs.putArray("diff_ids");
        diffIds.forEach(ids::add);
        config.set("history", history);
        return config;
    }

    private static List<String> textList(JsonNode node) {
        List<String> values = new ArrayList<>();
        node.forEach(each -> values.add(each.asText()));
        return values;
    }

    private static void putList(ObjectNode node, String field, List<String> values) {
        if (values.isEmpty()) {
            node.putNull(field);
        }
        else {
            ArrayNode array = node.putArray(field);
            values.forEach(array::add);
        }
    }

    private void writeMetadata(ImageSpec spec, Result result) throws IOException {
        // Shaped like Jib's target/jib-image.json so the publishing and pinning tools read both the same way.
        ObjectNode metadata = JSON.createObjectNode();
        metadata.put("image", result.reference());
        metadata.put("imageId", result.imageId());
        ArrayNode tags = metadata.putArray("tags");
        tags.add(spec.name().tag());
        metadata.put("archive", spec.outputArchive().getFileName().toString());
        metadata.put("archiveDigest", result.archiveDigest());
        metadata.put("archiveSize", result.archiveSize());
        metadata.put("sourceRevision", sourceRevision);
        ArrayNode layers = metadata.putArray("layers");
        for (LayerResult layer : result.layers()) {
            layers.addObject().put("name", layer.name()).put("diffId", layer.diffId()).put("size", layer.size());
        }
        Path partial = spec.outputMetadata().resolveSibling(spec.outputMetadata().getFileName() + ".partial");
        Files.writeString(partial, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(metadata) + "\n");
        Files.move(partial, spec.outputMetadata(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(spec.outputMetadata().resolveSibling("image.id"), result.imageId() + "\n");
    }

    public record LayerResult(String name, String diffId, long size) {}

    public record Result(String reference, String imageId, String archiveDigest, long archiveSize,
            List<LayerResult> layers) {}
}
