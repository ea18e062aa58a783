package io.dataplatform.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * A Debian archive's {@code InRelease}, verified with the archive keyring: the OpenPGP signature is checked by
 * {@code gpgv} (the verifier apt itself uses) and only the text it vouches for is read. The file sizes and SHA-256s it
 * lists are the trust anchor for the package indexes: an index that does not match is refused, so a package lock is
 * only ever resolved from what Debian signed.
 */
final class SignedRelease {
    private static final DateTimeFormatter RELEASE_DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss z", Locale.ROOT);

    private final String name;
    private final Map<String, Entry> sha256ByPath;

    record Entry(String sha256, long size) {}

    private SignedRelease(String name, Map<String, Entry> sha256ByPath) {
        this.name = requireNonNull(name, "name is null");
        this.sha256ByPath = Map.copyOf(sha256ByPath);
    }

    /**
     * Downloads {@code <baseUrl>/dists/<distribution>/InRelease} and verifies it against {@code keyring} at
     * {@code now}.
     */
    static SignedRelease download(String baseUrl, String distribution, Path keyring, Instant now) {
        String url = "%s/dists/%s/InRelease".formatted(baseUrl, distribution);
        try (InputStream input = Downloads.open(url)) {
            return verify(url, input.readAllBytes(), keyring, now);
        }
        catch (IOException e) {
            throw new ImageBuildException("Cannot read " + url + ": " + e.getMessage(), e);
        }
    }

    /** Verifies a clear-signed InRelease with {@code gpgv} and parses the signed text only. */
    static SignedRelease verify(String name, byte[] inRelease, Path keyring, Instant now) throws IOException {
        if (!Files.isRegularFile(keyring)) {
            throw new ImageBuildException(("The Debian archive keyring %s does not exist: install debian-archive-keyring "
                    + "(or point debian.keyring at the suite's keyring)").formatted(keyring));
        }
        Path directory = Files.createTempDirectory("inrelease-");
        try {
            Path signed = Files.write(directory.resolve("InRelease"), inRelease);
            Path verified = directory.resolve("verified");
            Process gpgv;
            try {
                gpgv = new ProcessBuilder("gpgv", "--keyring", keyring.toAbsolutePath().toString(), "--output",
                        verified.toString(), signed.toString()).redirectErrorStream(true).start();
            }
            catch (IOException e) {
                throw new ImageBuildException("gpgv is needed to verify Debian's InRelease signatures (Debian package "
                        + "gpgv): " + e.getMessage(), e);
            }
            String output = new String(gpgv.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                if (!gpgv.waitFor(1, TimeUnit.MINUTES)) {
                    gpgv.destroyForcibly();
                    throw new ImageBuildException("gpgv did not finish verifying " + name);
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while verifying " + name, e);
            }
            if (gpgv.exitValue() != 0 || !Files.isRegularFile(verified)) {
                throw new ImageBuildException("The signature of %s does not verify with %s; nothing is resolved from it:%n%s"
                        .formatted(name, keyring, output.strip()));
            }
            return parse(name, Files.readString(verified, StandardCharsets.UTF_8), now);
        }
        finally {
            for (Path file : List.of(directory.resolve("InRelease"), directory.resolve("verified"))) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(directory);
        }
    }

    static SignedRelease parse(String name, String signedText, Instant now) {
        ControlStanza release = ControlStanza.parseAll(signedText).getFirst();
        Optional.ofNullable(release.fields().get("Valid-Until")).ifPresent(validUntil -> {
            Instant expiry;
            try {
                expiry = ZonedDateTime.parse(validUntil.strip(), RELEASE_DATE).toInstant();
            }
            catch (DateTimeParseException e) {
                throw new ImageBuildException("%s: Valid-Until '%s' is not a date".formatted(name, validUntil));
            }
            if (now.isAfter(expiry)) {
                throw new ImageBuildException("%s expired at %s (Valid-Until): a stale or replayed archive"
                        .formatted(name, validUntil.strip()));
            }
        });
        String checksums = release.fields().get("SHA256");
        if (checksums == null) {
            throw new ImageBuildException(name + " lists no SHA256 checksums");
        }
        Map<String, Entry> entries = new HashMap<>();
        for (String line : checksums.split("\n")) {
            String[] words = line.strip().split("\\s+");
            if (words.length == 3) {
                entries.put(words[2], new Entry(words[0], Long.parseLong(words[1])));
            }
        }
        return new SignedRelease(name, entries);
    }

    /** Checks downloaded index bytes (e.g. {@code main/binary-amd64/Packages.xz}) against the signed release. */
    void check(String path, byte[] content) {
        Entry entry = sha256ByPath.get(path);
        if (entry == null) {
            throw new ImageBuildException("%s does not list %s: nothing unsigned is used".formatted(name, path));
        }
        String actual = Digests.sha256(content);
        if (!entry.sha256().equals(actual) || entry.size() != content.length) {
            throw new ImageBuildException(("%s of %s failed verification: the signed release lists SHA-256 %s (%d bytes), "
                    + "the download has %s (%d bytes)").formatted(path, name, entry.sha256(), entry.size(), actual,
                    content.length));
        }
    }
}
