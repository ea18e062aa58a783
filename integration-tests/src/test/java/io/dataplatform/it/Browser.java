package io.dataplatform.it;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.net.ssl.SSLContext;

/**
 * A browser without a browser, for OpenID Connect logins through the platform realm: a cookie jar per host (the
 * service on one loopback name, the realm on another, so each keeps its own; like a browser, it sends the realm's
 * Secure cookies to loopback over HTTP), redirects followed by hand, the realm's login form filled in, and the
 * addresses in redirects (the realm's as the services and its tokens know it, e.g. {@code http://keycloak:8080})
 * turned by {@code reachable} into where the test reaches them, as a browser behind a proxy would.
 */
final class Browser {
    private static final Pattern LOGIN_FORM = Pattern.compile("<form[^>]*id=\"kc-form-login\"[^>]*action=\"([^\"]+)\"");

    private final HttpClient client;
    private final UnaryOperator<URI> reachable;
    private final Map<String, Map<String, String>> cookies = new HashMap<>();

    Browser(SSLContext trusted, UnaryOperator<URI> reachable) {
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (trusted != null) {
            builder.sslContext(trusted);
        }
        client = builder.build();
        this.reachable = reachable;
    }

    HttpResponse<String> get(URI uri) throws Exception {
        return send(HttpRequest.newBuilder(reachable.apply(uri)).GET());
    }

    /** Posts {@code fields} as a form to {@code uri} (no redirect followed). */
    HttpResponse<String> post(URI uri, Map<String, String> fields) throws Exception {
        return send(HttpRequest.newBuilder(reachable.apply(uri)).header("Content-Type",
                "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form(fields))));
    }

    /** Sends {@code method} to {@code uri} with {@code headers} (an API call with this browser's cookies). */
    HttpResponse<String> send(String method, URI uri, Map<String, String> headers, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(reachable.apply(uri)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return send(request);
    }

    /** Opens {@code start}, fills in the realm's login form, follows redirects; returns the last page. */
    HttpResponse<String> login(URI start, String user, String password) throws Exception {
        return login(start, user, password, location -> false);
    }

    /** {@link #login(URI, String, String)}, up to the redirect to a location {@code stop} accepts (returned). */
    HttpResponse<String> login(URI start, String user, String password, Predicate<URI> stop) throws Exception {
        HttpResponse<String> page = get(start);
        boolean submitted = false;
        for (int step = 0; step < 10; step++) {
            if (page.statusCode() >= 300 && page.statusCode() < 400) {
                URI location = page.uri().resolve(page.headers().firstValue("Location").orElseThrow());
                if (stop.test(location)) {
                    return page;
                }
                page = get(location);
                continue;
            }
            Matcher form = LOGIN_FORM.matcher(page.body());
            if (page.statusCode() != 200 || submitted || !form.find()) {
                return page;
            }
            submitted = true;
            URI action = URI.create(form.group(1).replace("&amp;", "&"));
            page = send(HttpRequest.newBuilder(reachable.apply(action))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form(Map.of("username", user, "password", password,
                            "credentialId", "")))));
        }
        throw new AssertionError("more than 10 redirects from " + start);
    }

    /** The Cookie header this browser sends to {@code host} (for a WebSocket it opens there). */
    String cookieHeader(String host) {
        return cookies.getOrDefault(host, Map.of()).entrySet().stream()
                .map(cookie -> cookie.getKey() + "=" + cookie.getValue()).collect(Collectors.joining("; "));
    }

    /** The cookie {@code name} this browser holds for {@code host}, if any. */
    Optional<String> cookie(String host, String name) {
        return Optional.ofNullable(cookies.getOrDefault(host, Map.of()).get(name));
    }

    static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(field -> URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(field.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        HttpRequest built = request.build();
        Map<String, String> jar = cookies.computeIfAbsent(built.uri().getHost(), host -> new TreeMap<>());
        if (!jar.isEmpty()) {
            request.header("Cookie", jar.entrySet().stream().map(cookie -> cookie.getKey() + "=" + cookie.getValue())
                    .collect(Collectors.joining("; ")));
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        for (String header : response.headers().allValues("Set-Cookie")) {
            String[] attributes = header.split(";");
            String[] pair = attributes[0].split("=", 2);
            String value = pair.length < 2 ? "" : pair[1].strip();
            boolean expired = value.isEmpty() || value.equals("\"\"") || Arrays.stream(attributes)
                    .anyMatch(attribute -> attribute.strip().equalsIgnoreCase("Max-Age=0"));
            if (expired) {
                jar.remove(pair[0].strip());
            }
            else {
                jar.put(pair[0].strip(), value);
            }
        }
        return response;
    }
}
