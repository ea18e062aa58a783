package io.dataplatform.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;

/**
 * Test certificates made with the JDK's keytool: a PKCS#12 keystore (Hadoop's web endpoints), or a self-signed
 * certificate and its key as PEM files the way a Kubernetes TLS Secret holds them ({@code tls.crt}, {@code tls.key}),
 * owned by the images' user (uid 1000) and mounted read-only.
 */
final class TlsCertificate {
    static final int IMAGE_USER = 1000;
    /** The alias of the key pair in a keystore made here. */
    static final String ALIAS = "server";

    private TlsCertificate() {}

    /** A key pair and a self-signed certificate for {@code hostNames} (DNS names or IP addresses) in a keystore. */
    static void keystore(Path keystore, String password, String commonName, List<String> hostNames)
            throws IOException, InterruptedException {
        String names = String.join(",", hostNames.stream()
                .map(name -> (name.matches("[0-9.]+") ? "ip:" : "dns:") + name).sorted().toList());
        Process keytool = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", ALIAS, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=" + commonName, "-ext", "SAN=" + names,
                "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", password, "-keypass", password)
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        if (keytool.waitFor() != 0) {
            throw new IOException("keytool failed: " + output);
        }
    }

    /**
     * {@code directory/tls.crt} and {@code directory/tls.key} (PEM; the key PKCS#8, unencrypted, mode 0400), owned
     * by the image user, as a TLS Secret mounted with defaultMode 0400 and fsGroup 1000 reads in a pod.
     */
    static Path pemFiles(Path directory, String commonName, List<String> hostNames) throws Exception {
        Files.createDirectories(directory);
        Path keystore = directory.resolve("server.p12");
        String password = "transient-" + ProcessHandle.current().pid();
        keystore(keystore, password, commonName, hostNames);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream input = Files.newInputStream(keystore)) {
            store.load(input, password.toCharArray());
        }
        PrivateKey key = (PrivateKey) store.getKey(ALIAS, password.toCharArray());
        Certificate certificate = store.getCertificate(ALIAS);
        Files.delete(keystore);
        Path crt = Files.writeString(directory.resolve("tls.crt"), pem("CERTIFICATE", certificate.getEncoded()));
        Path pemKey = Files.writeString(directory.resolve("tls.key"), pem("PRIVATE KEY", key.getEncoded()));
        for (Path file : List.of(directory, crt, pemKey)) {
            Files.setAttribute(file, "unix:uid", IMAGE_USER);
            Files.setAttribute(file, "unix:gid", IMAGE_USER);
        }
        Files.setPosixFilePermissions(crt, PosixFilePermissions.fromString("r--r--r--"));
        Files.setPosixFilePermissions(pemKey, PosixFilePermissions.fromString("r--------"));
        return directory;
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN %s-----\n%s\n-----END %s-----\n".formatted(type, body, type);
    }
}
