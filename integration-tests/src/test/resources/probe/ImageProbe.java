import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Runs inside the platform's images and prints what it finds as {@code key=value} lines, which the integration
 * tests assert on. Compiled by the tests for Java 17 so that every runtime image can run it; it uses nothing but
 * the JDK, so it sees the image exactly as an application would.
 */
public final class ImageProbe {
    /** Inside the validity of the test chain's leaf certificate (see tls/README.md). */
    private static final Date VALIDATION_DATE = Date.from(Instant.parse("2026-01-01T00:00:00Z"));

    private ImageProbe() {}

    public static void main(String[] args) throws Exception {
        for (String check : args) {
            switch (check) {
                case "identity" -> identity();
                case "java" -> java();
                case "tls" -> tls();
                case "timezone" -> timezone();
                case "locale" -> locale();
                default -> {
                    if (check.startsWith("trino:")) {
                        trino(check.substring("trino:".length()));
                    }
                    else if (check.startsWith("oidc:")) {
                        // An OpenID Connect issuer's discovery document: the issuer it names (its tokens' iss).
                        oidc(check.substring("oidc:".length()));
                    }
                    else if (check.startsWith("reverse:")) {
                        // An address back to its name (Kerberos canonicalises host names this way).
                        String address = check.substring("reverse:".length());
                        print("reverse." + address, java.net.InetAddress.getByName(address).getCanonicalHostName());
                    }
                    else if (check.startsWith("connect:")) {
                        // A TCP connection to host:port within 5 s: open, refused, or timeout (dropped on the way).
                        String target = check.substring("connect:".length());
                        int colon = target.lastIndexOf(':');
                        try (java.net.Socket socket = new java.net.Socket()) {
                            socket.connect(new java.net.InetSocketAddress(target.substring(0, colon),
                                    Integer.parseInt(target.substring(colon + 1))), 5000);
                            print("connect." + target, "open");
                        }
                        catch (java.net.SocketTimeoutException e) {
                            print("connect." + target, "timeout");
                        }
                        catch (java.io.IOException e) {
                            print("connect." + target, "refused (" + e.getMessage() + ")");
                        }
                    }
                    else if (check.startsWith("resolve:")) {
                        // A name through the resolver the container was given (in a pod: the cluster DNS).
                        String name = check.substring("resolve:".length());
                        print("resolve." + name, java.net.InetAddress.getByName(name).getHostAddress());
                    }
                    else {
                        throw new IllegalArgumentException("Unknown check " + check);
                    }
                }
            }
        }
    }

    /** {@code oidc:<issuer URL>}: prints {@code oidc.issuer} from the issuer's discovery document, or {@code oidc.error}. */
    private static void oidc(String issuer) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpResponse<String> response = client.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(issuer + "/.well-known/openid-configuration")).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        java.util.regex.Matcher named = java.util.regex.Pattern.compile("\"issuer\"\\s*:\\s*\"([^\"]+)\"")
                .matcher(response.body());
        if (response.statusCode() == 200 && named.find()) {
            print("oidc.issuer", named.group(1));
        }
        else {
            print("oidc.error", "HTTP " + response.statusCode());
        }
    }

    /**
     * {@code trino:<server URL>|<user>|<sql>}: a query as that user through Trino's HTTP protocol (POST /v1/statement,
     * then nextUri until there is none), printing {@code trino.rows} (the data arrays as Trino sent them) or
     * {@code trino.error}. A secured Trino: {@code trino:<https URL>|token:<issuer>|<client>:<secret>|<user>:<password>|<sql>}
     * asks the issuer for the user's token (password grant) and sends it as a bearer token; the probe trusts the
     * server's certificate as it is (a test's self-signed one).
     */
    private static void trino(String argument) throws Exception {
        String[] parts = argument.split("\\|", 3);
        String server = parts[0];
        String sql = parts[2];
        java.util.function.UnaryOperator<java.net.http.HttpRequest.Builder> identity;
        java.net.http.HttpClient http;
        if (parts[1].startsWith("token:")) {
            // Read once, when the JDK's HTTP client is first used.
            System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
            String[] token = argument.split("\\|", 5);
            String issuer = token[1].substring("token:".length());
            String[] client = token[2].split(":", 2);
            String[] user = token[3].split(":", 2);
            sql = token[4];
            String bearer = "Bearer " + accessToken(issuer, client[0], client[1], user[0], user[1]);
            identity = request -> request.header("Authorization", bearer);
            javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS");
            trustAll.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                public void checkClientTrusted(X509Certificate[] chain, String type) {}
                public void checkServerTrusted(X509Certificate[] chain, String type) {}
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            http = java.net.http.HttpClient.newBuilder().sslContext(trustAll).build();
        }
        else {
            String user = parts[1];
            identity = request -> request.header("X-Trino-User", user);
            http = java.net.http.HttpClient.newHttpClient();
        }
        java.net.http.HttpRequest request = identity.apply(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(server + "/v1/statement"))).POST(java.net.http.HttpRequest.BodyPublishers.ofString(sql)).build();
        java.util.regex.Pattern next = java.util.regex.Pattern.compile("\"nextUri\":\"([^\"]+)\"");
        java.util.regex.Pattern data = java.util.regex.Pattern.compile("\"data\":(\\[\\[.*?\\]\\])");
        java.util.regex.Pattern error = java.util.regex.Pattern.compile("\"error\":\\{\"message\":\"([^\"]*)\"");
        StringBuilder rows = new StringBuilder();
        while (request != null) {
            java.net.http.HttpResponse<String> response = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                print("trino.error", "HTTP " + response.statusCode());
                return;
            }
            String body = response.body();
            java.util.regex.Matcher matcher = data.matcher(body);
            if (matcher.find()) {
                rows.append(matcher.group(1));
            }
            matcher = error.matcher(body);
            if (matcher.find()) {
                print("trino.error", matcher.group(1));
                return;
            }
            matcher = next.matcher(body);
            request = matcher.find() ? identity.apply(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(matcher.group(1)))).GET().build() : null;
        }
        print("trino.rows", rows);
    }

    /** The user's access token from an OpenID Connect issuer (resource owner password grant of the client). */
    private static String accessToken(String issuer, String client, String secret, String user, String password)
            throws Exception {
        java.util.function.Function<String, String> encode = value -> java.net.URLEncoder.encode(value,
                java.nio.charset.StandardCharsets.UTF_8);
        String form = "grant_type=password&scope=openid&client_id=" + encode.apply(client) + "&client_secret="
                + encode.apply(secret) + "&username=" + encode.apply(user) + "&password=" + encode.apply(password);
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(issuer + "/protocol/openid-connect/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        java.util.regex.Matcher token = java.util.regex.Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"")
                .matcher(response.body());
        if (response.statusCode() != 200 || !token.find()) {
            throw new IllegalStateException("no token from " + issuer + ": HTTP " + response.statusCode() + " "
                    + response.body());
        }
        return token.group(1);
    }

    private static void identity() throws IOException {
        com.sun.security.auth.module.UnixSystem unix = new com.sun.security.auth.module.UnixSystem();
        print("uid", unix.getUid());
        print("gid", unix.getGid());
        print("user.name", System.getProperty("user.name"));
        print("user.home", System.getProperty("user.home"));
        Path marker = Path.of(System.getProperty("user.home"), ".probe-write-test");
        Files.writeString(marker, "ok");
        print("home.writable", Files.readString(marker).equals("ok"));
        Files.delete(marker);
        print("root.writable", Files.isWritable(Path.of("/etc")));
    }

    private static void java() {
        print("java.version", System.getProperty("java.version"));
        print("java.home", System.getProperty("java.home"));
        print("java.vm.name", System.getProperty("java.vm.name"));
        print("env.JAVA_HOME", System.getenv("JAVA_HOME"));
    }

    private static void tls() throws Exception {
        List<X509Certificate> chain = certificates(Path.of(System.getProperty("probe.chain")));
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        CertPath path = factory.generateCertPath(chain);

        Set<TrustAnchor> osAnchors = new HashSet<>();
        for (X509Certificate certificate : certificates(Path.of("/etc/ssl/certs/ca-certificates.crt"))) {
            osAnchors.add(new TrustAnchor(certificate, null));
        }
        print("tls.os.bundle.certificates", osAnchors.size());
        print("tls.os.chain", validate(path, osAnchors));

        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init((KeyStore) null);
        Set<TrustAnchor> jreAnchors = new HashSet<>();
        for (var manager : trustManagers.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                for (X509Certificate issuer : x509.getAcceptedIssuers()) {
                    jreAnchors.add(new TrustAnchor(issuer, null));
                }
            }
        }
        print("tls.jre.truststore.certificates", jreAnchors.size());
        print("tls.jre.chain", validate(path, jreAnchors));

        // The control: the same chain with its root left out of the anchors must not validate.
        Set<TrustAnchor> withoutRoot = new HashSet<>(osAnchors);
        X509Certificate top = chain.get(chain.size() - 1);
        withoutRoot.removeIf(anchor -> anchor.getTrustedCert().getSubjectX500Principal()
                .equals(top.getIssuerX500Principal()));
        print("tls.without.root.chain", validate(path, withoutRoot));
    }

    private static String validate(CertPath path, Set<TrustAnchor> anchors) throws Exception {
        if (anchors.isEmpty()) {
            return "invalid: no trust anchors";
        }
        PKIXParameters parameters = new PKIXParameters(anchors);
        parameters.setRevocationEnabled(false);
        parameters.setDate(VALIDATION_DATE);
        try {
            CertPathValidator.getInstance("PKIX").validate(path, parameters);
            return "valid";
        }
        catch (CertPathValidatorException e) {
            return "invalid: " + e.getMessage();
        }
    }

    private static List<X509Certificate> certificates(Path pem) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> certificates = new ArrayList<>();
        try (InputStream input = Files.newInputStream(pem)) {
            Collection<? extends Certificate> all = factory.generateCertificates(input);
            for (Certificate certificate : all) {
                certificates.add((X509Certificate) certificate);
            }
        }
        return certificates;
    }

    private static void timezone() throws IOException {
        print("tz.env", String.valueOf(System.getenv("TZ")));
        ZoneId zone = ZoneId.systemDefault();
        print("tz.default", zone.getId());
        print("tz.default.offset", zone.getRules().getOffset(Instant.parse("2026-07-01T12:00:00Z")));
        String name = System.getenv("TZ") == null ? "Etc/UTC" : System.getenv("TZ");
        Path zoneFile = Path.of("/usr/share/zoneinfo", name);
        byte[] header = Files.exists(zoneFile) ? Files.readAllBytes(zoneFile) : new byte[0];
        print("tz.zoneinfo.file", header.length >= 4 && new String(header, 0, 4).equals("TZif"));
        print("tz.localtime", Files.isSymbolicLink(Path.of("/etc/localtime"))
                ? Files.readSymbolicLink(Path.of("/etc/localtime")) : "absent");
    }

    private static void locale() throws IOException {
        print("locale.lang", System.getenv("LANG"));
        print("locale.sun.jnu.encoding", System.getProperty("sun.jnu.encoding"));
        print("locale.file.encoding", System.getProperty("file.encoding"));
        print("locale.default.charset", Charset.defaultCharset());
        // File names are encoded with sun.jnu.encoding: without a UTF-8 locale this name comes back as '?'s.
        String name = "données-Überprüfung-データ.txt";
        Path directory = Files.createTempDirectory("probe");
        Files.writeString(directory.resolve(name), "x");
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(directory)) {
            for (Path path : listing) {
                print("locale.unicode.filename.roundtrip", path.getFileName().toString().equals(name));
                Files.delete(path);
            }
        }
        Files.delete(directory);
    }

    private static void print(String key, Object value) {
        System.out.println(key + "=" + value);
    }
}
