package io.dataplatform.trino.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.dataplatform.launcher.Mounts;

import static java.util.Objects.requireNonNull;

/**
 * A node's transport and authentication settings, from the environment (Kubernetes: a TLS Secret mounted as a
 * directory, the other secrets as variables, which the rendered configuration names as {@code ${ENV:...}} so no
 * secret is written to disk by the launcher but the TLS key Trino must read from a file).
 *
 * <table>
 * <caption>Environment</caption>
 * <tr><td>TRINO_TLS_DIR</td><td>a directory with {@code tls.crt} and {@code tls.key} (PEM; a TLS Secret): HTTPS on
 * TRINO_HTTPS_PORT (default 8443). Plain HTTP stays for the nodes' own traffic and health checks; Trino refuses
 * credentials over it.</td></tr>
 * <tr><td>TRINO_SHARED_SECRET</td><td>the secret the nodes sign their internal requests with; required on every node
 * once TLS or authentication is on</td></tr>
 * <tr><td>TRINO_OIDC_ISSUER</td><td>the identity provider's issuer URL (the platform realm): OAuth2 for the Web UI
 * (authorization code flow), and its tokens accepted as bearer tokens (JWT) from notebooks, Superset, Airflow;
 * user = {@code preferred_username}, groups = the {@code groups} claim. Needs TLS.</td></tr>
 * <tr><td>TRINO_OIDC_CLIENT_ID</td><td>default {@code trino}</td></tr>
 * <tr><td>TRINO_OIDC_CLIENT_SECRET</td><td>the client's secret; required with TRINO_OIDC_ISSUER</td></tr>
 * <tr><td>TRINO_KERBEROS_KEYTAB</td><td>a keytab with {@code HTTP/<TRINO_KERBEROS_HOSTNAME>@<KERBEROS_REALM>}:
 * SPNEGO (Kerberos) for JDBC and CLI clients, user = the principal without its realm; the Kerberos client files
 * come from the HDFS client configuration (KERBEROS_REALM, KERBEROS_KDC). Needs TLS.</td></tr>
 * <tr><td>TRINO_KERBEROS_HOSTNAME</td><td>the host name clients ask a ticket for (the Service's DNS name)</td></tr>
 * </table>
 */
public record Security(Optional<Path> tlsDirectory, int httpsPort, boolean sharedSecret, Optional<URI> oidcIssuer,
        String oidcClientId, Optional<Kerberos> kerberos) {
    /** SPNEGO for JDBC/CLI clients: the service principal {@code HTTP/<hostname>@<realm>} from {@code keytab}. */
    public record Kerberos(Path keytab, String hostname, String realm) {
        public String principal() {
            return "HTTP/" + hostname + "@" + realm;
        }
    }

    static final String TLS_DIR = "TRINO_TLS_DIR";
    static final String SHARED_SECRET = "TRINO_SHARED_SECRET";
    static final String OIDC_ISSUER = "TRINO_OIDC_ISSUER";
    static final String OIDC_CLIENT_SECRET = "TRINO_OIDC_CLIENT_SECRET";
    static final String KERBEROS_KEYTAB = "TRINO_KERBEROS_KEYTAB";
    static final String KERBEROS_HOSTNAME = "TRINO_KERBEROS_HOSTNAME";
    /** Where the launcher renders the Kerberos client configuration (hadoop-client-config). */
    static final Path KRB5_CONF = Path.of("/run/hadoop/conf/krb5.conf");

    public Security {
        requireNonNull(tlsDirectory, "tlsDirectory is null");
        requireNonNull(oidcIssuer, "oidcIssuer is null");
        requireNonNull(oidcClientId, "oidcClientId is null");
        requireNonNull(kerberos, "kerberos is null");
    }

    /** The settings, or every problem with them in one exception (one line each). */
    public static Security from(NodeConfiguration.Role role, Map<String, String> environment) {
        List<String> problems = new ArrayList<>();
        Optional<Path> tls = value(environment, TLS_DIR).map(Path::of);
        tls.ifPresent(directory -> {
            for (String file : List.of("tls.crt", "tls.key")) {
                if (!Files.isReadable(directory.resolve(file))) {
                    problems.add("%s %s has no readable %s (mount a TLS Secret there)".formatted(TLS_DIR, directory,
                            file));
                }
            }
        });
        int httpsPort = 8443;
        try {
            httpsPort = Integer.parseInt(environment.getOrDefault("TRINO_HTTPS_PORT", "8443"));
        }
        catch (NumberFormatException e) {
            problems.add("TRINO_HTTPS_PORT is not a port number: " + environment.get("TRINO_HTTPS_PORT"));
        }
        Optional<URI> issuer = Optional.empty();
        Optional<String> issuerText = value(environment, OIDC_ISSUER);
        if (issuerText.isPresent()) {
            try {
                URI uri = new URI(issuerText.get());
                if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
                    problems.add("%s '%s' is not an issuer URL (e.g. https://sso.example/realms/platform)"
                            .formatted(OIDC_ISSUER, issuerText.get()));
                }
                issuer = Optional.of(uri);
            }
            catch (URISyntaxException e) {
                problems.add("%s '%s' is not a URL: %s".formatted(OIDC_ISSUER, issuerText.get(), e.getReason()));
            }
            if (role == NodeConfiguration.Role.WORKER) {
                problems.add(OIDC_ISSUER + " is set on a worker: only the coordinator authenticates users");
            }
            if (tls.isEmpty()) {
                problems.add(OIDC_ISSUER + " needs HTTPS: set " + TLS_DIR + " (Trino accepts tokens only over TLS)");
            }
            if (value(environment, OIDC_CLIENT_SECRET).isEmpty()) {
                problems.add(OIDC_ISSUER + " needs " + OIDC_CLIENT_SECRET + " (the client's secret at the identity "
                        + "provider)");
            }
        }
        Optional<Kerberos> kerberos = kerberos(role, environment, tls.isPresent(), problems);
        boolean sharedSecret = value(environment, SHARED_SECRET).isPresent();
        if (!sharedSecret && (tls.isPresent() || issuerText.isPresent() || kerberos.isPresent())) {
            problems.add(SHARED_SECRET + " is not set: with TLS or authentication on, every node signs its internal "
                    + "requests with it (the same value on all nodes, from a Secret)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        return new Security(tls, httpsPort, sharedSecret, issuer,
                environment.getOrDefault("TRINO_OIDC_CLIENT_ID", "trino"), kerberos);
    }

    private static Optional<Kerberos> kerberos(NodeConfiguration.Role role, Map<String, String> environment,
            boolean tls, List<String> problems) {
        Optional<String> keytab = value(environment, KERBEROS_KEYTAB);
        if (keytab.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> hostname = value(environment, KERBEROS_HOSTNAME);
        Optional<String> realm = value(environment, "KERBEROS_REALM");
        if (role == NodeConfiguration.Role.WORKER) {
            problems.add(KERBEROS_KEYTAB + " is set on a worker: only the coordinator authenticates users");
        }
        if (!tls) {
            problems.add(KERBEROS_KEYTAB + " needs HTTPS: set " + TLS_DIR);
        }
        if (hostname.isEmpty()) {
            problems.add(KERBEROS_KEYTAB + " needs " + KERBEROS_HOSTNAME + " (the host name in the service principal "
                    + "HTTP/<host>, the name clients reach Trino at)");
        }
        if (realm.isEmpty()) {
            problems.add(KERBEROS_KEYTAB + " needs KERBEROS_REALM and KERBEROS_KDC (the Kerberos client files)");
        }
        if (hostname.isEmpty() || realm.isEmpty()) {
            return Optional.empty();
        }
        Kerberos kerberos = new Kerberos(Path.of(keytab.get()), hostname.get(), realm.get());
        problems.addAll(keytabProblems(kerberos));
        return Optional.of(kerberos);
    }

    /** A keytab that cannot log the service in is named with the principal it lacks, before Trino starts. */
    static List<String> keytabProblems(Kerberos kerberos) {
        return Mounts.keytabFor(kerberos.keytab().toString(), kerberos.principal(), KERBEROS_KEYTAB).stream().toList();
    }

    /** The PEM file Trino reads its key and certificate from. */
    public static Path keystore(Path workDirectory) {
        return workDirectory.resolve("tls").resolve("server.pem");
    }

    /** Where the launcher writes the Kerberos configuration Trino's SPNEGO authenticator reads. */
    public static Path krb5Conf(Path workDirectory) {
        return workDirectory.resolve("krb5.conf");
    }

    /**
     * Writes what Trino reads from files: the key and certificate as one PEM file (owner-only) when TLS is on; with
     * Kerberos, the platform's krb5.conf without host name canonicalisation. Trino names its service host-based
     * ({@code HTTP@<hostname>}) and the JDK would otherwise swap the name for its reverse DNS (on Kubernetes
     * {@code trino.platform.svc} becomes {@code trino.platform.svc.cluster.local}), a principal the keytab lacks:
     * "No valid credentials provided". Clients connect by the same name without canonicalising it.
     */
    public void prepare(Path workDirectory) throws IOException {
        prepare(workDirectory, KRB5_CONF);
    }

    void prepare(Path workDirectory, Path platformKrb5Conf) throws IOException {
        if (kerberos.isPresent()) {
            String platform = Files.readString(platformKrb5Conf);
            Files.createDirectories(workDirectory);
            Files.writeString(krb5Conf(workDirectory), platform.replaceFirst("(?m)^\\[libdefaults\\]\\s*$",
                    "[libdefaults]\n  dns_canonicalize_hostname = false"));
        }
        if (tlsDirectory.isEmpty()) {
            return;
        }
        Path keystore = keystore(workDirectory);
        Files.createDirectories(keystore.getParent());
        Files.deleteIfExists(keystore);
        Files.createFile(keystore, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        String key = Files.readString(tlsDirectory.get().resolve("tls.key"));
        String certificate = Files.readString(tlsDirectory.get().resolve("tls.crt"));
        Files.writeString(keystore, key.endsWith("\n") ? key + certificate : key + "\n" + certificate);
    }

    /** The settings for config.properties (the operator's mounted settings still win over these). */
    public Map<String, String> properties(Path workDirectory) {
        Map<String, String> properties = new TreeMap<>();
        tlsDirectory.ifPresent(directory -> {
            properties.put("http-server.https.enabled", "true");
            properties.put("http-server.https.port", String.valueOf(httpsPort));
            properties.put("http-server.https.keystore.path", keystore(workDirectory).toString());
        });
        if (sharedSecret) {
            properties.put("internal-communication.shared-secret", "${ENV:" + SHARED_SECRET + "}");
        }
        oidcIssuer.ifPresent(issuer -> {
            String prefix = "http-server.authentication.oauth2.";
            properties.put("web-ui.authentication.type", "oauth2");
            properties.put(prefix + "issuer", issuer.toString());
            properties.put(prefix + "client-id", oidcClientId);
            properties.put(prefix + "client-secret", "${ENV:" + OIDC_CLIENT_SECRET + "}");
            properties.put(prefix + "principal-field", "preferred_username");
            // Trino 476 marks the groups field deprecated (groups "should" come from a group provider, which sees
            // only the user name); the realm is where people's groups live, so the platform keeps reading the claim.
            // Trino adds the group provider's groups (service users, e.g. etl) to these.
            properties.put("deprecated." + prefix + "groups-field", "groups");
            properties.put(prefix + "scopes", "openid");
        });
        kerberos.ifPresent(service -> {
            properties.put("http-server.authentication.krb5.service-name", "HTTP");
            properties.put("http-server.authentication.krb5.principal-hostname", service.hostname());
            properties.put("http-server.authentication.krb5.keytab", service.keytab().toString());
            properties.put("http.authentication.krb5.config", krb5Conf(workDirectory).toString());
            // alice@PLATFORM.EXAMPLE is user alice, as in HDFS and the policies.
            properties.put("http-server.authentication.krb5.user-mapping.pattern", "(.*)@.*");
        });
        List<String> authenticators = new ArrayList<>();
        kerberos.ifPresent(service -> authenticators.add("kerberos"));
        oidcIssuer.ifPresent(issuer -> authenticators.add("oauth2"));
        if (!authenticators.isEmpty()) {
            properties.put("http-server.authentication.type", String.join(",", authenticators));
        }
        return properties;
    }

    private static Optional<String> value(Map<String, String> environment, String name) {
        return Optional.ofNullable(environment.get(name)).map(String::strip).filter(value -> !value.isEmpty());
    }
}
