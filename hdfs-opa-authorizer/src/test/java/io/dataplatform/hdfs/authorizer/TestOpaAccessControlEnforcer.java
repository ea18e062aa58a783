package io.dataplatform.hdfs.authorizer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.security.AccessControlException;
import org.apache.hadoop.security.UserGroupInformation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The enforcer's own logic against a stand-in for OPA's HTTP API (what the policies answer is opa-policies' tests;
 * the real OPA and NameNode are HdfsOpaAuthorizerIT's).
 */
class TestOpaAccessControlEnforcer {
    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicReference<String> answer = new AtomicReference<>("allow");
    private final AtomicInteger hdfsChecks = new AtomicInteger();
    private OpaAccessControlEnforcer enforcer;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(OpaClient.DECISION_PATH, exchange -> {
            requests.add(new String(exchange.getRequestBody().readAllBytes(), UTF_8));
            byte[] body = ("{\"result\":\"" + answer.get() + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        enforcer = enforcer(Duration.ofMinutes(1));
    }

    private OpaAccessControlEnforcer enforcer(Duration cacheTime) {
        OpaClient opa = new OpaClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"),
                Duration.ofSeconds(1));
        return new OpaAccessControlEnforcer(opa, cacheTime, 1000).over((fsOwner, supergroup, caller, inodeAttrs,
                inodes, path, snapshot, p, ancestor, owner, ancestorAccess, parentAccess, access, subAccess,
                ignoreEmpty) -> {
            hdfsChecks.incrementAndGet();
            throw new AccessControlException("HDFS permissions say no");
        });
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static byte[][] components(String path) {
        String[] names = path.split("/", -1);
        byte[][] components = new byte[names.length][];
        for (int i = 0; i < names.length; i++) {
            components[i] = names[i].getBytes(UTF_8);
        }
        return components;
    }

    private void check(String user, String path, FsAction parentAccess, FsAction access, FsAction subAccess)
            throws AccessControlException {
        UserGroupInformation caller = UserGroupInformation.createUserForTesting(user,
                new String[] {"team-b", "team-a"});
        byte[][] components = components(path);
        enforcer.checkPermission("hdfs", "supergroup", caller, null, null, components, 0, path,
                components.length - 1, false, null, parentAccess, access, subAccess, false);
    }

    @Test
    void eachAccessOfACheckIsOneDecisionWithUserGroupsPathAndActions() throws AccessControlException {
        check("etl", "/warehouse/t/file", FsAction.WRITE_EXECUTE, FsAction.READ, null);
        // The parent's access (naming the child it is asked for), then the path's own; groups sorted, so that equal
        // checks share a cache entry.
        assertThat(requests.stream().map(TestOpaAccessControlEnforcer::summary)).containsExactly(
                "etl|[\"team-a\",\"team-b\"]|/warehouse/t|file|[\"write\",\"execute\"]|false",
                "etl|[\"team-a\",\"team-b\"]|/warehouse/t/file||[\"read\"]|false");
    }

    private static String summary(String request) {
        try {
            JsonNode input = new ObjectMapper().readTree(request).path("input");
            return String.join("|", input.path("user").asText(), input.path("groups").toString(),
                    input.path("path").asText(), input.path("child").asText(), input.path("actions").toString(),
                    input.path("recursive").asText());
        }
        catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void denialNamesUserAccessAndPath() {
        answer.set("deny");
        assertThatThrownBy(() -> check("bob", "/warehouse/t", null, null, FsAction.ALL))
                .isInstanceOf(AccessControlException.class)
                .hasMessage("Permission denied by the platform's policies: user=bob, access=read,write,execute "
                        + "(recursive), path=\"/warehouse/t\"");
        assertThat(hdfsChecks).hasValue(0);
    }

    @Test
    void anAncestorsAccessNamesTheComponentBelowIt() throws AccessControlException {
        // mkdirs /warehouse/sales/orders where only /warehouse exists: WRITE on the ancestor, for "sales".
        UserGroupInformation caller = UserGroupInformation.createUserForTesting("etl", new String[] {"team-sales"});
        byte[][] components = components("/warehouse/sales/orders");
        enforcer.checkPermission("hdfs", "supergroup", caller, null, null, components, 0, "/warehouse/sales/orders",
                1, false, FsAction.WRITE_EXECUTE, null, null, null, false);
        assertThat(requests.stream().map(TestOpaAccessControlEnforcer::summary)).containsExactly(
                "etl|[\"team-sales\"]|/warehouse|sales|[\"write\",\"execute\"]|false");
        answer.set("deny");
        assertThatThrownBy(() -> enforcer.checkPermission("hdfs", "supergroup", caller, null, null, components, 0,
                "/warehouse/sales/orders", 1, false, FsAction.WRITE, null, null, null, false))
                .hasMessage("Permission denied by the platform's policies: user=etl, access=write, path=\"/warehouse\" "
                        + "(operation on \"/warehouse/sales/orders\")");
    }

    @Test
    void permissionsLeaveTheWholeCheckToHdfs() {
        answer.set("permissions");
        assertThatThrownBy(() -> check("carol", "/user/carol/x", null, FsAction.READ, null))
                .hasMessage("HDFS permissions say no");
        assertThat(hdfsChecks).hasValue(1);
    }

    @Test
    void decisionsAreCachedAcrossOperationsAndExpire() throws Exception {
        check("etl", "/warehouse/t", null, FsAction.READ, null);
        // The NameNode binds the enforcer to a new permission checker for every operation: the cache is shared.
        enforcer = enforcer.over(null);
        check("etl", "/warehouse/t", null, FsAction.READ, null);
        assertThat(requests).hasSize(1);
        enforcer = enforcer(Duration.ofMillis(50));
        check("etl", "/warehouse/t", null, FsAction.READ, null);
        Thread.sleep(100);
        check("etl", "/warehouse/t", null, FsAction.READ, null);
        assertThat(requests).hasSize(3);
    }

    @Test
    void theSuperuserAndTheSupergroupDoNotAsk() throws AccessControlException {
        answer.set("deny");
        byte[][] components = components("/warehouse");
        enforcer.checkPermission("hdfs", "supergroup", UserGroupInformation.createUserForTesting("hdfs",
                new String[0]), null, null, components, 0, "/warehouse", 1, true, null, null, FsAction.ALL, null, false);
        enforcer.checkPermission("hdfs", "supergroup", UserGroupInformation.createUserForTesting("admin",
                new String[] {"supergroup"}), null, null, components, 0, "/warehouse", 1, true, null, null,
                FsAction.ALL, null, false);
        assertThat(requests).isEmpty();
    }

    @Test
    void unreachableOpaDeniesUntilItAnswersAgain() throws Exception {
        int port = server.getAddress().getPort();
        server.stop(0);
        assertThatThrownBy(() -> check("etl", "/warehouse/t", null, FsAction.READ, null))
                .isInstanceOf(AccessControlException.class)
                .hasMessageContaining("the platform's authoriser (OPA) did not answer, so access is denied")
                .hasMessageContaining("path=\"/warehouse/t\"");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext(OpaClient.DECISION_PATH, exchange -> {
            byte[] body = "{\"result\":\"allow\"}".getBytes(UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        check("etl", "/warehouse/t", null, FsAction.READ, null);
    }

    @Test
    void anAnswerWithoutADecisionIsNotAnAllow() {
        answer.set("maybe");
        assertThatThrownBy(() -> check("etl", "/warehouse/t", null, FsAction.READ, null))
                .hasMessageContaining("did not answer, so access is denied");
    }

    @Test
    void pathsAndActions() {
        assertThat(OpaAccessControlEnforcer.pathOf(components("/a/b/c"), 2)).isEqualTo("/a/b");
        assertThat(OpaAccessControlEnforcer.pathOf(components("/a"), 0)).isEqualTo("/");
        assertThat(OpaAccessControlEnforcer.actions(FsAction.READ_EXECUTE)).containsExactly("read", "execute");
        assertThat(OpaAccessControlEnforcer.actions(FsAction.ALL)).containsExactly("read", "write", "execute");
    }
}
