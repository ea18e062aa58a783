package io.dataplatform.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import static java.util.Objects.requireNonNull;

/**
 * The {@code docker save} format: {@code manifest.json}, the image configuration and one uncompressed tar per layer.
 * {@code docker load} reads it, and Jib takes it as a base image through {@code tar://}.
 */
public final class DockerArchive {
    static final ObjectMapper JSON = new ObjectMapper();

    private DockerArchive() {}

    /** An image read from an archive: its configuration and its layer tars (extracted next to each other). */
    public record Image(ObjectNode config, List<Path> layers) {
        public Image {
            requireNonNull(config, "config is null");
            layers = List.copyOf(layers);
        }
    }

    /** Reads {@code archive}, extracting its layers (uncompressed) into {@code directory}. */
    public static Image read(Path archive, Path directory) {
        Map<String, Path> members = new HashMap<>();
        try {
            Files.createDirectories(directory);
            try (TarArchiveInputStream tar = new TarArchiveInputStream(
                    new BufferedInputStream(Files.newInputStream(archive)))) {
                for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                    if (ArchiveLayer.isRegularFile(entry)) {
                        Path target = directory.resolve("member-" + members.size());
                        Files.copy(tar, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        members.put(Layer.normalize(entry.getName()), target);
                    }
                }
            }
            Path manifestFile = members.get("manifest.json");
            if (manifestFile == null) {
                throw new ImageBuildException(archive + " is not a docker archive: it has no manifest.json");
            }
            JsonNode manifest = JSON.readTree(manifestFile.toFile());
            if (!manifest.isArray() || manifest.size() != 1) {
                throw new ImageBuildException(archive + ": expected exactly one image in manifest.json");
            }
            Path configFile = members.get(Layer.normalize(manifest.get(0).path("Config").asText()));
            if (configFile == null) {
                throw new ImageBuildException(archive + ": the configuration named by manifest.json is missing");
            }
            List<Path> layers = new ArrayList<>();
            for (JsonNode layer : manifest.get(0).path("Layers")) {
                Path path = members.get(Layer.normalize(layer.asText()));
                if (path == null) {
                    throw new ImageBuildException(archive + ": layer " + layer.asText() + " is missing");
                }
                layers.add(uncompressed(path));
            }
            return new Image((ObjectNode) JSON.readTree(configFile.toFile()), layers);
        }
        catch (IOException e) {
            throw new ImageBuildException("Cannot read base image " + archive + ": " + e.getMessage(), e);
        }
    }

    /** Jib and newer Docker versions write gzip layers; image configurations name the uncompressed digests. */
    private static Path uncompressed(Path layer) throws IOException {
        byte[] magic = new byte[2];
        try (var input = Files.newInputStream(layer)) {
            if (input.readNBytes(magic, 0, 2) < 2 || (magic[0] & 0xff) != 0x1f || (magic[1] & 0xff) != 0x8b) {
                return layer;
            }
        }
        Path target = layer.resolveSibling(layer.getFileName() + ".tar");
        try (var input = new java.util.zip.GZIPInputStream(Files.newInputStream(layer))) {
            Files.copy(input, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    /** The image id (digest of the configuration) and the archive file's own digest and size. */
    public record Written(String imageId, LayerTarWriter.Blob archive) {}

    /**
     * Writes an image archive; layers are stored as {@code <diff id>.tar}. Returns the image id (the digest of the
     * configuration, which names the layers by their digests and so the whole image) and the archive's digest.
     */
    public static Written write(Path archive, ObjectNode config, List<Path> layers, List<String> layerDigests,
            List<String> repoTags) throws IOException {
        byte[] configBytes = JSON.writeValueAsBytes(config);
        String configSha256 = Digests.sha256(configBytes);

        ObjectNode manifestEntry = JSON.createObjectNode();
        manifestEntry.put("Config", configSha256 + ".json");
        ArrayNode tags = manifestEntry.putArray("RepoTags");
        repoTags.forEach(tags::add);
        ArrayNode layerNames = manifestEntry.putArray("Layers");

        Layer contents = new Layer("docker archive " + archive.getFileName());
        contents.addFile(configSha256 + ".json", 0644, configBytes);
        for (int index = 0; index < layers.size(); index++) {
            String name = layerDigests.get(index).replace("sha256:", "") + ".tar";
            if (contents.entry(name).isEmpty()) {
                contents.addFile(name, 0644, Layer.ROOT, Layer.ROOT, Layer.Content.of(layers.get(index)));
            }
            layerNames.add(name);
        }
        ArrayNode manifest = JSON.createArrayNode().add(manifestEntry);
        contents.addFile("manifest.json", 0644, JSON.writeValueAsString(manifest).getBytes(StandardCharsets.UTF_8));
        LayerTarWriter.Blob blob = LayerTarWriter.write(contents, archive);
        return new Written("sha256:" + configSha256, blob);
    }
}
