package io.dataplatform.hdfs.authorizer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static java.util.Objects.requireNonNull;

/**
 * Asks OPA's {@code hdfs} policies ({@code POST /v1/data/hdfs/decision}) what to do with one access: {@code allow},
 * {@code deny}, or {@code permissions} (not the policies' path: HDFS permissions and ACLs decide).
 */
final class OpaClient {
    static final String DECISION_PATH = "/v1/data/hdfs/decision";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI decisionUri;
    private final Duration timeout;
    private final HttpClient http;

    OpaClient(URI opa, Duration timeout) {
        requireNonNull(opa, "opa is null");
        this.decisionUri = opa.resolve(DECISION_PATH);
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    enum Decision {
        ALLOW, DENY, PERMISSIONS
    }

    /**
     * One access to decide: who, on which path, which of read/write/execute, or the owner's rights. {@code child}:
     * for an access to a directory on the way to the operation's path (its parent's or an ancestor's), the name of
     * the next component below it, e.g. the schema a new table directory goes into ({@code ""} otherwise).
     */
    record Request(String user, List<String> groups, String path, String child, List<String> actions,
            boolean recursive) {
        Request {
            requireNonNull(user, "user is null");
            groups = List.copyOf(groups);
            requireNonNull(path, "path is null");
            requireNonNull(child, "child is null");
            actions = List.copyOf(actions);
        }
    }

    /** OPA did not answer, or not with a decision: the caller must deny (fail closed). */
    static final class UnavailableException extends Exception {
        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    URI decisionUri() {
        return decisionUri;
    }

    Decision decide(Request request) throws UnavailableException {
        String body;
        try {
            body = JSON.writeValueAsString(Map.of("input", Map.of(
                    "user", request.user(),
                    "groups", request.groups(),
                    "path", request.path(),
                    "child", request.child(),
                    "actions", request.actions(),
                    "recursive", request.recursive())));
        }
        catch (IOException e) {
            throw new UnavailableException("cannot write the request: " + e.getMessage(), e);
        }
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(decisionUri)
                            .timeout(timeout)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException e) {
            throw new UnavailableException(e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted", e);
        }
        if (response.statusCode() != 200) {
            throw new UnavailableException("HTTP " + response.statusCode() + " " + response.body().strip(), null);
        }
        JsonNode result;
        try {
            result = JSON.readTree(response.body()).path("result");
        }
        catch (IOException e) {
            throw new UnavailableException("not JSON: " + e.getMessage(), e);
        }
        return switch (result.asText("")) {
            case "allow" -> Decision.ALLOW;
            case "deny" -> Decision.DENY;
            case "permissions" -> Decision.PERMISSIONS;
            default -> throw new UnavailableException("no decision in " + response.body().strip()
                    + " (is the hdfs policy package in OPA's bundle?)", null);
        };
    }
}
