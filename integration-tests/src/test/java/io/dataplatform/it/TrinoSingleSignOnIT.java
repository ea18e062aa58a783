package io.dataplatform.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.Network;

/**
 * Single sign-on through the platform realm: the Keycloak image with the realm of the repository, and Trino with
 * HTTPS (certificate from a mounted TLS Secret), a shared secret between nodes and OAuth2 against the realm, as the
 * launcher sets them from TRINO_TLS_DIR, TRINO_SHARED_SECRET and TRINO_OIDC_*.
 *
 * <p>The login is a real OpenID Connect authorization-code flow, driven without a browser: follow Trino's
 * redirect to the realm, fill in its login form, follow the redirect back to Trino's callback (Trino exchanges the
 * code at the realm), end on the authenticated Web UI. The same flow through Trino's external authentication (what
 * the JDBC driver and the CLI do) yields a token whose user and groups Trino takes from the realm's claims.
 * Tokens the realm did not sign as they are, or that expired, get 401.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrinoSingleSignOnIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRINO_CLIENT_SECRET = "dev-trino-client-secret";
    /** Trino's token validation (Nimbus) accepts tokens up to 60 s past their expiry (clock skew). */
    private static final Duration CLOCK_SKEW = Duration.ofSeconds(60);

    private static final String REALM = "PLATFORM.TEST";
    private static final String PRINCIPALS = """
            realm PLATFORM.TEST
            HTTP/trino keytab=trino-http.keytab
            alice keytab=alice.keytab
            """;

    private static Network network;
    private static KdcContainer kdc;
    private static Path keytabs;
    private static Path krb5Conf;
    private static KeycloakContainer keycloak;
    private static TrinoContainer trino;
    private static Path certificate;
    private static SSLContext trustingTrino;
    private static String shortLivedToken;
    private static Instant shortLivedExpiry;

    @BeforeAll
    static void start(@TempDir Path directory) throws Exception {
        Path tls = TlsCertificate.pemFiles(directory.resolve("tls"), "trino", List.of("trino", "localhost"));
        certificate = tls.resolve("tls.crt");
        trustingTrino = trusting(certificate);
        network = Network.newNetwork();
        keytabs = Files.createDirectories(directory.resolve("keytabs"));
        // The KDC runs as uid 1000 and writes the keytabs here; Trino (uid 1000) reads its own.
        Files.setPosixFilePermissions(keytabs, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        kdc = new KdcContainer(PlatformImage.of("kdc"), REALM, PRINCIPALS).withKeytabDirectory(keytabs);
        kdc.withNetwork(network).withNetworkAliases("kdc");
        kdc.start();
        krb5Conf = kdc.clientConfiguration(Files.createDirectories(directory.resolve("client")));
        keycloak = new KeycloakContainer().withNetwork(network);
        keycloak.start();
        // A token that expires one second after it is issued, checked again by the last test once it is past
        // expiry and the clock skew Trino allows.
        shortLivedToken = shortLivedToken("alice");
        shortLivedExpiry = Instant.ofEpochSecond(claims(shortLivedToken).path("exp").asLong());
        trino = new TrinoContainer(PlatformImage.of("trino"), "single")
                .withNetwork(network)
                .withNetworkAliases("trino")
                .withTls(tls, "shared-" + UUID.randomUUID())
                .withOidc(KeycloakContainer.ISSUER, TRINO_CLIENT_SECRET)
                .withReadOnlyBind(keytabs, "/etc/security/keytabs")
                .withEnv(kerberos("/etc/security/keytabs/trino-http.keytab"));
        trino.start();
    }

    /**
     * SPNEGO settings: the service's keytab and name; the Kerberos client files come from the HDFS client
     * configuration, which needs a NameNode address (no catalog here reads HDFS).
     */
    private static Map<String, String> kerberos(String keytab) {
        return Map.of("TRINO_KERBEROS_KEYTAB", keytab, "TRINO_KERBEROS_HOSTNAME", "trino",
                "KERBEROS_REALM", REALM, "KERBEROS_KDC", "kdc:" + KdcContainer.KDC_PORT,
                "HDFS_NAMENODE", "namenode:8020");
    }

    @AfterAll
    static void stop() {
        if (trino != null) {
            trino.stop();
        }
        if (keycloak != null) {
            keycloak.stop();
        }
        if (kdc != null) {
            kdc.stop();
        }
        if (network != null) {
            network.close();
        }
    }

    @Test
    @Order(0)
    void keycloakRunsAsTheImagesUserAndItsHealthCheckReadsTheRealm() throws Exception {
        assertThat(keycloak.getContainerInfo().getConfig().getUser()).isEqualTo("1000:1000");
        var check = keycloak.execInContainer("java", "-cp", "/opt/keycloak-launcher/*",
                "io.dataplatform.keycloak.launcher.KeycloakHealthCheck");
        assertThat(check.getExitCode()).as(check.getStdout() + check.getStderr()).isZero();
        assertThat(check.getStdout()).contains("healthy: 1 realm(s) published");
    }

    @Test
    @Order(1)
    void theWebUiLogsInThroughTheRealmAndEndsOnAnAuthenticatedPage() throws Exception {
        Browser browser = browser();
        URI ui = URI.create(trino.httpsUrl() + "/ui/");
        HttpResponse<String> first = browser.get(ui);
        assertThat(first.statusCode()).as("the UI sends an unknown browser to the realm: %s", first.body()).isBetween(302, 303);
        URI authorization = first.headers().firstValue("Location").map(URI::create).orElseThrow();
        assertThat(authorization.toString())
                .startsWith(KeycloakContainer.ISSUER + "/protocol/openid-connect/auth?")
                .contains("client_id=trino", "response_type=code",
                        "redirect_uri=" + URLEncoder.encode(trino.httpsUrl() + "/oauth2/callback", StandardCharsets.UTF_8));
        assertThat(browser.get(URI.create(trino.httpsUrl() + "/ui/api/cluster")).statusCode()).isEqualTo(401);

        HttpResponse<String> landed = browser.login(authorization, "alice", "dev-alice-password");
        assertThat(landed.uri().toString()).isEqualTo(ui.toString());
        assertThat(landed.statusCode()).isEqualTo(200);
        assertThat(landed.body()).contains("<title>Cluster Overview - Trino</title>");
        HttpResponse<String> cluster = browser.get(URI.create(trino.httpsUrl() + "/ui/api/cluster"));
        assertThat(cluster.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(cluster.body()).path("environment").asText()).as(cluster.body()).isEqualTo("platform");

        assertThat(browser().get(URI.create(trino.httpsUrl() + "/ui/api/cluster")).statusCode())
                .as("another browser, without the session cookie").isEqualTo(401);
    }

    @Test
    @Order(2)
    void aWrongPasswordEndsOnTheRealmsFormNotInTrino() throws Exception {
        Browser browser = browser();
        URI authorization = browser.get(URI.create(trino.httpsUrl() + "/ui/")).headers().firstValue("Location")
                .map(URI::create).orElseThrow();
        HttpResponse<String> page = browser.login(authorization, "alice", "not-her-password");
        assertThat(page.uri().getPort()).isEqualTo(keycloak.getMappedPort(KeycloakContainer.PORT));
        assertThat(page.body()).contains("Invalid username or password");
        assertThat(browser.get(URI.create(trino.httpsUrl() + "/ui/api/cluster")).statusCode()).isEqualTo(401);
    }

    @Test
    @Order(3)
    void theClientsLoginFlowGivesATokenWithTheUsersGroupsFromTheRealm() throws Exception {
        assertThat(queryIdentity(externalAuthenticationToken("bob", "dev-bob-password")))
                .isEqualTo("bob [analysts, region-north]");
        assertThat(queryIdentity(externalAuthenticationToken("carol", "dev-carol-password")))
                .isEqualTo("carol [analysts, msisdn-readers, region-south]");
    }

    @Test
    @Order(4)
    void aTokenOfTheRealmIsAcceptedAsABearerToken() throws Exception {
        // What the notebooks, Superset and Airflow do: pass the user's token (JWT) on.
        String token = passwordGrant("trino", TRINO_CLIENT_SECRET, "alice", "dev-alice-password");
        assertThat(statementStatus(token)).isEqualTo(200);
        assertThat(queryIdentity(token)).isEqualTo("alice [team-data-engineering]");
        String admin = passwordGrant("trino", TRINO_CLIENT_SECRET, "dave", "dev-dave-password");
        assertThat(queryIdentity(admin)).isEqualTo("dave [platform-admins]");
    }

    @Test
    @Order(5)
    void aForgedTokenGets401() throws Exception {
        String token = passwordGrant("trino", TRINO_CLIENT_SECRET, "erin", "dev-erin-password");
        String[] parts = token.split("\\.");

        // Erin's token, its claims changed to an administrator's, her signature kept.
        ObjectNode claims = (ObjectNode) claims(token);
        claims.put("preferred_username", "dave");
        claims.putArray("groups").add("platform-admins");
        String tampered = parts[0] + "." + base64(JSON.writeValueAsBytes(claims)) + "." + parts[2];
        assertThat(statementStatus(tampered)).isEqualTo(401);

        // The same claims signed by a key that is not the realm's, under the realm key's id.
        var keys = KeyPairGenerator.getInstance("RSA");
        keys.initialize(2048);
        var pair = keys.generateKeyPair();
        String signedInput = parts[0] + "." + base64(JSON.writeValueAsBytes(claims));
        Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(pair.getPrivate());
        signature.update(signedInput.getBytes(StandardCharsets.US_ASCII));
        assertThat(statementStatus(signedInput + "." + base64(signature.sign()))).isEqualTo(401);

        assertThat(statementStatus("not-a-token")).isEqualTo(401);
        assertThat(statementStatus(token)).as("her own token still works").isEqualTo(200);
    }

    @Test
    @Order(5)
    void aKerberosClientLogsInWithItsKeytab() throws Exception {
        // What the JDBC driver and the CLI do with a Kerberos ticket (SPNEGO), beside the realm's tokens.
        Properties properties = new Properties();
        properties.setProperty("SSL", "true");
        properties.setProperty("SSLTrustStorePath", certificate.toString());
        properties.setProperty("KerberosRemoteServiceName", "HTTP");
        properties.setProperty("KerberosServicePrincipalPattern", "${SERVICE}@trino");
        properties.setProperty("KerberosUseCanonicalHostname", "false");
        properties.setProperty("KerberosPrincipal", "alice@" + REALM);
        properties.setProperty("KerberosKeytabPath", keytabs.resolve("alice.keytab").toString());
        // One Kerberos configuration per JVM (other tests' KDCs ran before): this test's, set as the driver would.
        Kerberos.useConfiguration(krb5Conf);
        String url = "jdbc:trino://localhost:%d".formatted(trino.getMappedPort(TrinoContainer.HTTPS_PORT));
        try (Connection connection = DriverManager.getConnection(url, properties);
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT current_user")) {
            result.next();
            assertThat(result.getString(1)).isEqualTo("alice");
        }
        assertThat(httpsClient().send(HttpRequest.newBuilder(URI.create(trino.httpsUrl() + "/v1/statement"))
                                .header("Authorization", "Negotiate " + Base64.getEncoder().encodeToString(
                                        "not a ticket".getBytes(StandardCharsets.UTF_8)))
                                .POST(HttpRequest.BodyPublishers.ofString("SELECT 1")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode())
                .as("a Negotiate header without a ticket").isEqualTo(401);
    }

    @Test
    @Order(5)
    void aKeytabWithoutTheServicesKeyStopsTrinoNamingIt() throws Exception {
        Path tls = certificate.getParent();
        try (var wrong = new org.testcontainers.containers.GenericContainer<>(PlatformImage.of("trino").name())) {
            wrong.withCommand("coordinator")
                    .withEnv(kerberos("/etc/security/keytabs/alice.keytab"))
                    .withEnv("TRINO_TLS_DIR", TrinoContainer.TLS_DIRECTORY)
                    .withEnv("TRINO_SHARED_SECRET", "s")
                    .withCreateContainerCmdModifier(command -> command.getHostConfig().withBinds(
                            com.github.dockerjava.api.model.Bind.parse(keytabs + ":/etc/security/keytabs:ro"),
                            com.github.dockerjava.api.model.Bind.parse(tls + ":" + TrinoContainer.TLS_DIRECTORY + ":ro")));
            ContainerExit.expect(wrong);
            ContainerExit exit = ContainerExit.of(wrong);
            assertThat(exit.code()).isEqualTo(1);
            assertThat(exit.logs()).contains("platform launcher: TRINO_KERBEROS_KEYTAB /etc/security/keytabs/alice.keytab "
                    + "holds no key for HTTP/trino@PLATFORM.TEST: not this service's keytab (or not a keytab)",
                    "platform launcher: Trino was not started");
        }
    }

    @Test
    @Order(6)
    void anExpiredTokenGets401() throws Exception {
        Instant refused = shortLivedExpiry.plus(CLOCK_SKEW).plusSeconds(2);
        Duration wait = Duration.between(Instant.now(), refused);
        if (!wait.isNegative()) {
            Thread.sleep(wait.toMillis());
        }
        assertThat(statementStatus(shortLivedToken)).isEqualTo(401);
        assertThat(statementStatus(passwordGrant("expiry-probe", "probe-secret", "alice", "dev-alice-password")))
                .as("a fresh token of the same one-second client").isEqualTo(200);
        assertThat(statementStatus(passwordGrant("trino", TRINO_CLIENT_SECRET, "alice", "dev-alice-password")))
                .as("a fresh token of the same user").isEqualTo(200);
    }

    /** Trino's external authentication (the JDBC driver's and the CLI's): 401 names a login URL and a token URL. */
    private static String externalAuthenticationToken(String user, String password) throws Exception {
        HttpResponse<String> challenge = httpsClient().send(HttpRequest.newBuilder(
                        URI.create(trino.httpsUrl() + "/v1/statement"))
                .POST(HttpRequest.BodyPublishers.ofString("SELECT 1")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(challenge.statusCode()).isEqualTo(401);
        String header = challenge.headers().allValues("WWW-Authenticate").stream()
                .filter(value -> value.contains("x_redirect_server")).findFirst().orElseThrow();
        URI login = URI.create(attribute(header, "x_redirect_server"));
        URI tokenServer = URI.create(attribute(header, "x_token_server"));

        HttpResponse<String> done = browser().login(login, user, password);
        assertThat(done.statusCode()).isEqualTo(200);

        URI next = tokenServer;
        for (int attempt = 0; attempt < 20; attempt++) {
            JsonNode answer = JSON.readTree(httpsClient().send(HttpRequest.newBuilder(next).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            if (answer.has("token")) {
                return answer.get("token").asText();
            }
            assertThat(answer.has("nextUri")).as("token server answered %s", answer).isTrue();
            next = URI.create(answer.get("nextUri").asText());
        }
        throw new AssertionError("no token from " + tokenServer);
    }

    /** {@code user [groups]} as Trino sees the bearer of {@code token}, over JDBC with TLS. */
    private static String queryIdentity(String token) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("SSL", "true");
        properties.setProperty("SSLTrustStorePath", certificate.toString());
        properties.setProperty("accessToken", token);
        String url = "jdbc:trino://localhost:%d".formatted(trino.getMappedPort(TrinoContainer.HTTPS_PORT));
        try (Connection connection = DriverManager.getConnection(url, properties);
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT current_user, current_groups()")) {
            result.next();
            Array groups = result.getArray(2);
            String sorted = Arrays.stream((Object[]) groups.getArray()).map(Object::toString).sorted()
                    .collect(Collectors.joining(", ", "[", "]"));
            return result.getString(1) + " " + sorted;
        }
    }

    private static int statementStatus(String bearer) throws Exception {
        return httpsClient().send(HttpRequest.newBuilder(URI.create(trino.httpsUrl() + "/v1/statement"))
                        .header("Authorization", "Bearer " + bearer)
                        .POST(HttpRequest.BodyPublishers.ofString("SELECT 1")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String passwordGrant(String client, String secret, String user, String password) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(keycloak.hostUrl() + "/realms/platform/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(Browser.form(Map.of("grant_type", "password", "client_id", client,
                        "client_secret", secret, "username", user, "password", password, "scope", "openid"))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("access_token").asText();
    }

    /** A client made for this test through the admin API, whose tokens live one second. */
    private static String shortLivedToken(String user) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> admin = client.send(HttpRequest.newBuilder(
                        URI.create(keycloak.hostUrl() + "/realms/master/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(Browser.form(Map.of("grant_type", "password", "client_id",
                        "admin-cli", "username", KeycloakContainer.ADMIN, "password", KeycloakContainer.ADMIN_PASSWORD))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(admin.statusCode()).as(admin.body()).isEqualTo(200);
        String adminToken = JSON.readTree(admin.body()).get("access_token").asText();
        String probe = """
                {"clientId": "expiry-probe", "secret": "probe-secret", "publicClient": false,
                 "standardFlowEnabled": false, "directAccessGrantsEnabled": true,
                 "attributes": {"access.token.lifespan": "1"},
                 "protocolMappers": [{"name": "trino-audience", "protocol": "openid-connect",
                   "protocolMapper": "oidc-audience-mapper",
                   "config": {"included.client.audience": "trino", "access.token.claim": "true"}}]}
                """;
        HttpResponse<String> created = client.send(HttpRequest.newBuilder(
                        URI.create(keycloak.hostUrl() + "/admin/realms/platform/clients"))
                .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(probe)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return passwordGrant("expiry-probe", "probe-secret", user, "dev-" + user + "-password");
    }

    private static JsonNode claims(String token) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
    }

    private static String base64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String attribute(String header, String name) {
        Matcher matcher = Pattern.compile(name + "=\"([^\"]+)\"").matcher(header);
        assertThat(matcher.find()).as("%s in %s", name, header).isTrue();
        return matcher.group(1);
    }

    private static HttpClient httpsClient() {
        return HttpClient.newBuilder().sslContext(trustingTrino).build();
    }

    private static SSLContext trusting(Path certificateFile) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream input = Files.newInputStream(certificateFile)) {
            store.setCertificateEntry("trino", CertificateFactory.getInstance("X.509").generateCertificate(input));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** A browser trusting Trino's certificate, reaching the realm at its mapped port. */
    private static Browser browser() {
        return new Browser(trustingTrino, keycloak::reachable);
    }
}
