package io.dataplatform.trino.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.dataplatform.trino.launcher.NodeConfiguration.Role.COORDINATOR;
import static io.dataplatform.trino.launcher.NodeConfiguration.Role.WORKER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestSecurity {
    @TempDir
    Path directory;

    @Test
    void nothingSetLeavesTrinoAsItWas() {
        assertThat(Security.from(COORDINATOR, Map.of()).properties(directory)).isEmpty();
    }

    @Test
    void httpsFromATlsSecretOAuth2AndASharedSecretNamedNotWritten() throws Exception {
        Path tls = Files.createDirectories(directory.resolve("tls-secret"));
        Files.writeString(tls.resolve("tls.key"), "-----BEGIN PRIVATE KEY-----\nk\n-----END PRIVATE KEY-----");
        Files.writeString(tls.resolve("tls.crt"), "-----BEGIN CERTIFICATE-----\nc\n-----END CERTIFICATE-----\n");
        Security security = Security.from(COORDINATOR, Map.of("TRINO_TLS_DIR", tls.toString(),
                "TRINO_SHARED_SECRET", "s3cret", "TRINO_OIDC_ISSUER", "https://sso.example/realms/platform",
                "TRINO_OIDC_CLIENT_SECRET", "client-s3cret"));
        Path work = directory.resolve("work");
        security.prepare(work);

        Path keystore = Security.keystore(work);
        assertThat(Files.readString(keystore)).isEqualTo("-----BEGIN PRIVATE KEY-----\nk\n-----END PRIVATE KEY-----\n"
                + "-----BEGIN CERTIFICATE-----\nc\n-----END CERTIFICATE-----\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keystore))).isEqualTo("rw-------");
        assertThat(security.properties(work))
                .containsEntry("http-server.https.enabled", "true")
                .containsEntry("http-server.https.port", "8443")
                .containsEntry("http-server.https.keystore.path", keystore.toString())
                .containsEntry("internal-communication.shared-secret", "${ENV:TRINO_SHARED_SECRET}")
                .containsEntry("http-server.authentication.type", "oauth2")
                .containsEntry("web-ui.authentication.type", "oauth2")
                .containsEntry("http-server.authentication.oauth2.issuer", "https://sso.example/realms/platform")
                .containsEntry("http-server.authentication.oauth2.client-id", "trino")
                .containsEntry("http-server.authentication.oauth2.client-secret", "${ENV:TRINO_OIDC_CLIENT_SECRET}")
                .containsEntry("http-server.authentication.oauth2.principal-field", "preferred_username")
                .containsEntry("deprecated.http-server.authentication.oauth2.groups-field", "groups");
        assertThat(security.properties(work).values()).noneMatch(value -> value.contains("s3cret"));
    }

    @Test
    void aWorkerTakesTheSharedSecretOnly() {
        assertThat(Security.from(WORKER, Map.of("TRINO_SHARED_SECRET", "s")).properties(directory))
                .containsOnlyKeys("internal-communication.shared-secret");
    }

    @Test
    void everyProblemIsNamedAtOnce() {
        assertThatThrownBy(() -> Security.from(WORKER, Map.of("TRINO_TLS_DIR", directory.resolve("none").toString(),
                "TRINO_OIDC_ISSUER", "sso.example")))
                .hasMessage(String.join("\n",
                        "TRINO_TLS_DIR %s has no readable tls.crt (mount a TLS Secret there)".formatted(directory.resolve("none")),
                        "TRINO_TLS_DIR %s has no readable tls.key (mount a TLS Secret there)".formatted(directory.resolve("none")),
                        "TRINO_OIDC_ISSUER 'sso.example' is not an issuer URL (e.g. https://sso.example/realms/platform)",
                        "TRINO_OIDC_ISSUER is set on a worker: only the coordinator authenticates users",
                        "TRINO_OIDC_ISSUER needs TRINO_OIDC_CLIENT_SECRET (the client's secret at the identity provider)",
                        "TRINO_SHARED_SECRET is not set: with TLS or authentication on, every node signs its internal "
                                + "requests with it (the same value on all nodes, from a Secret)"));
        assertThatThrownBy(() -> Security.from(COORDINATOR, Map.of("TRINO_OIDC_ISSUER", "https://sso.example/r",
                "TRINO_OIDC_CLIENT_SECRET", "c", "TRINO_SHARED_SECRET", "s")))
                .hasMessage("TRINO_OIDC_ISSUER needs HTTPS: set TRINO_TLS_DIR (Trino accepts tokens only over TLS)");
    }

    @Test
    void theInternalTokenIsTheJwtTrinoSignsWithTheSharedSecret() {
        // Header and claims as Trino's nodes send them; the signature checked against an HS256 made here.
        String token = InternalToken.of("abc", "healthcheck", java.time.Instant.ofEpochSecond(1800000000L));
        assertThat(token).isEqualTo("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJoZWFsdGhjaGVjayIsImV4cCI6MTgwMDAwMDAwMH0."
                + "-NfgSnc6Dtf7W92ujP_TVTd1JYnVzZCvrdbkynsuBIk");
    }

    @Test
    void kerberosNeedsItsServicesKeyAndComesBeforeOAuth2() throws Exception {
        Path tls = Files.createDirectories(directory.resolve("tls"));
        Files.writeString(tls.resolve("tls.key"), "k");
        Files.writeString(tls.resolve("tls.crt"), "c");
        Path notAKeytab = Files.writeString(directory.resolve("other.keytab"), "not a keytab");
        Map<String, String> environment = Map.of("TRINO_TLS_DIR", tls.toString(), "TRINO_SHARED_SECRET", "s",
                "KERBEROS_REALM", "PLATFORM.TEST", "TRINO_KERBEROS_HOSTNAME", "trino.platform.svc",
                "TRINO_KERBEROS_KEYTAB", notAKeytab.toString());
        assertThatThrownBy(() -> Security.from(COORDINATOR, environment))
                .hasMessage("TRINO_KERBEROS_KEYTAB %s holds no key for HTTP/trino.platform.svc@PLATFORM.TEST: not this "
                        .formatted(notAKeytab) + "service's keytab (or not a keytab)");
        Map<String, String> missing = new java.util.HashMap<>(environment);
        missing.put("TRINO_KERBEROS_KEYTAB", directory.resolve("none.keytab").toString());
        missing.remove("TRINO_KERBEROS_HOSTNAME");
        assertThatThrownBy(() -> Security.from(COORDINATOR, missing))
                .hasMessage("TRINO_KERBEROS_KEYTAB needs TRINO_KERBEROS_HOSTNAME (the host name in the service "
                        + "principal HTTP/<host>, the name clients reach Trino at)");
        missing.put("TRINO_KERBEROS_HOSTNAME", "trino");
        assertThatThrownBy(() -> Security.from(COORDINATOR, missing))
                .hasMessage("TRINO_KERBEROS_KEYTAB %s does not exist".formatted(directory.resolve("none.keytab")));

        Security.Kerberos kerberos = new Security.Kerberos(Path.of("/etc/security/keytabs/trino-http.keytab"),
                "trino.platform.svc", "PLATFORM.TEST");
        Security security = new Security(java.util.Optional.of(tls), 8443, true,
                java.util.Optional.of(java.net.URI.create("https://sso.example/realms/platform")), "trino",
                java.util.Optional.of(kerberos));
        assertThat(security.properties(directory))
                .containsEntry("http-server.authentication.type", "kerberos,oauth2")
                .containsEntry("http-server.authentication.krb5.service-name", "HTTP")
                .containsEntry("http-server.authentication.krb5.principal-hostname", "trino.platform.svc")
                .containsEntry("http-server.authentication.krb5.keytab", "/etc/security/keytabs/trino-http.keytab")
                .containsEntry("http.authentication.krb5.config", directory.resolve("krb5.conf").toString())
                .containsEntry("http-server.authentication.krb5.user-mapping.pattern", "(.*)@.*");

        Path platform = Files.writeString(directory.resolve("platform-krb5.conf"),
                "[libdefaults]\n  default_realm = PLATFORM.TEST\n[realms]\n");
        security.prepare(directory.resolve("work"), platform);
        assertThat(Files.readString(directory.resolve("work/krb5.conf"))).isEqualTo(
                "[libdefaults]\n  dns_canonicalize_hostname = false\n  default_realm = PLATFORM.TEST\n[realms]\n");
    }
}
