package io.dataplatform.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** InRelease verification with a real OpenPGP key made for the test (gpg) and the real verifier (gpgv). */
class TestSignedRelease {
    private static final byte[] INDEX = "Package: libc6\nVersion: 2.41-12\n".getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    @TempDir
    Path directory;
    private Path gnupgHome;
    private Path keyring;

    @BeforeEach
    void archiveKey() throws Exception {
        gnupgHome = Files.createTempDirectory("gnupg-");
        gpg("--quick-gen-key", "Test Archive Signing Key <archive@example.invalid>", "ed25519", "sign", "never");
        keyring = directory.resolve("archive-keyring.gpg");
        Files.write(keyring, gpgOutput("--export"));
    }

    @AfterEach
    void stopAgent() throws Exception {
        new ProcessBuilder("gpgconf", "--kill", "gpg-agent").inheritIO().start().waitFor();
        try (var files = Files.walk(gnupgHome)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Test
    void aSignedReleaseVouchesForTheIndexesItLists() throws Exception {
        SignedRelease release = SignedRelease.verify("trixie/InRelease", sign(release(INDEX, "")), keyring, NOW);
        release.check("main/binary-amd64/Packages.xz", INDEX);

        assertThatThrownBy(() -> release.check("main/binary-amd64/Packages.xz", "Package: evil\n".getBytes()))
                .hasMessageContaining("main/binary-amd64/Packages.xz of trixie/InRelease failed verification: "
                        + "the signed release lists SHA-256 " + Digests.sha256(INDEX));
        assertThatThrownBy(() -> release.check("main/binary-arm64/Packages.xz", INDEX))
                .hasMessageContaining("does not list main/binary-arm64/Packages.xz");
    }

    @Test
    void anAlteredReleaseDoesNotVerify() throws Exception {
        String signed = new String(sign(release(INDEX, "")), StandardCharsets.UTF_8);
        // Someone swaps in the checksum of their own index.
        String altered = signed.replace(Digests.sha256(INDEX), Digests.sha256("Package: evil\n".getBytes()));
        assertThat(altered).isNotEqualTo(signed);

        assertThatThrownBy(() -> SignedRelease.verify("trixie/InRelease", altered.getBytes(StandardCharsets.UTF_8),
                keyring, NOW))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("The signature of trixie/InRelease does not verify with " + keyring);
    }

    @Test
    void aReleaseSignedByAnotherKeyDoesNotVerify() throws Exception {
        byte[] signed = sign(release(INDEX, ""));
        Path otherHome = gnupgHome;
        gnupgHome = Files.createTempDirectory("gnupg-other-");
        try {
            gpg("--quick-gen-key", "Someone Else <else@example.invalid>", "ed25519", "sign", "never");
            Path otherKeyring = directory.resolve("other-keyring.gpg");
            Files.write(otherKeyring, gpgOutput("--export"));
            assertThatThrownBy(() -> SignedRelease.verify("trixie/InRelease", signed, otherKeyring, NOW))
                    .hasMessageContaining("does not verify");
        }
        finally {
            stopAgent();
            gnupgHome = otherHome;
        }
    }

    @Test
    void anExpiredReleaseIsRefused() throws Exception {
        byte[] signed = sign(release(INDEX, "Valid-Until: Sat, 21 Nov 2026 12:00:00 UTC\n"));
        assertThatThrownBy(() -> SignedRelease.verify("trixie-security/InRelease", signed, keyring, NOW))
                .hasMessageContaining("trixie-security/InRelease expired at Sat, 21 Nov 2026 12:00:00 UTC (Valid-Until)");
        SignedRelease.verify("trixie-security/InRelease", signed, keyring, Instant.parse("2026-11-20T00:00:00Z"));
    }

    @Test
    void aMissingKeyringIsNamed() {
        assertThatThrownBy(() -> SignedRelease.verify("trixie/InRelease", new byte[0], directory.resolve("none.gpg"), NOW))
                .hasMessageContaining("The Debian archive keyring " + directory.resolve("none.gpg") + " does not exist");
    }

    private static String release(byte[] index, String extraFields) {
        return """
                Origin: Debian
                Suite: stable
                Codename: trixie
                Date: Sat, 15 Nov 2026 09:00:00 UTC
                %sSHA256:
                 %s %d main/binary-amd64/Packages.xz
                """.formatted(extraFields, Digests.sha256(index), index.length);
    }

    private byte[] sign(String text) throws Exception {
        Path input = directory.resolve("Release");
        Files.writeString(input, text);
        Path output = directory.resolve("InRelease");
        Files.deleteIfExists(output);
        gpg("--clearsign", "--output", output.toString(), input.toString());
        return Files.readAllBytes(output);
    }

    private void gpg(String... arguments) throws Exception {
        gpgOutput(arguments);
    }

    private byte[] gpgOutput(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("gpg", "--batch", "--quiet", "--pinentry-mode", "loopback",
                "--passphrase", ""));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("GNUPGHOME", gnupgHome.toString());
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor()).as(String.join(" ", command)).isZero();
        return output;
    }
}
