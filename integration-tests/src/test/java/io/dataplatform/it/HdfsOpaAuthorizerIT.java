package io.dataplatform.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.github.dockerjava.api.DockerClient;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.security.AccessControlException;
import org.apache.hadoop.security.UserGroupInformation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.testcontainers.DockerClientFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The NameNode of the platform's image authorised by OPA (hdfs-opa-authorizer asking the OPA image's hdfs
 * policies): Kerberos users × warehouse paths × read/write/list/delete through the real HDFS client, each cell
 * allowed (its effect seen) or denied (nothing changed). The warehouse directories belong to hdfs with mode 700, so
 * every allowed cell is the policies' grant, not POSIX's; outside the warehouse HDFS permissions still decide. OPA
 * stopped: denied, with the NameNode saying why; started again: allowed again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HdfsOpaAuthorizerIT {
    private static final String OPA_URL = "http://" + PlatformNetwork.fqdn("opa") + ":" + OpaContainer.PORT;
    private static final String GROUPS = "alice=analysts;bob=team-network-planning;etl=team-data-engineering;";

    /**
     * etl: team data-engineering (which also writes curated), bob: team network-planning, alice: analyst, carol: no
     * group, trino: the platform's query service, which reaches HDFS as its users (impersonation) and has no rights of
     * its own here. new-schema: a file in a schema directory that does not exist yet (made by the same call).
     */
    private static final String MATRIX = """
            operation        etl      bob      alice    carol    trino/trino.platform.test
            list-warehouse   allowed  allowed  allowed  allowed  allowed
            read-team        allowed  denied   denied   denied   denied
            write-team       allowed  denied   denied   denied   denied
            delete-team      allowed  denied   denied   denied   denied
            write-new-schema allowed  denied   denied   denied   denied
            read-curated     allowed  denied   allowed  denied   denied
            write-curated    allowed  denied   denied   denied   denied
            read-planning    denied   allowed  denied   denied   denied
            list-carols-home denied   denied   denied   allowed  denied
            """;

    private static HdfsCluster cluster;
    private static OpaContainer opa;

    @BeforeAll
    static void start() throws Exception {
        Path directory = Files.createTempDirectory("hdfs-opa");
        cluster = HdfsCluster.start(directory, Map.of(
                "HDFS_OPA_URL", OPA_URL,
                "HDFS_OPA_CACHE_SECONDS", "1",
                "HDFS_USER_GROUPS", GROUPS));
        opa = cluster.network.attach(new OpaContainer(), "opa");
        opa.start();
        cluster.as("hdfs", fs -> {
            for (String table : List.of("data_engineering/orders", "curated/subscribers", "network_planning/cells")) {
                write(fs, "/warehouse/" + table + "/part-0", table);
            }
            for (String directoryName : List.of("/warehouse", "/warehouse/data_engineering",
                    "/warehouse/data_engineering/orders", "/warehouse/curated", "/warehouse/curated/subscribers",
                    "/warehouse/network_planning", "/warehouse/network_planning/cells")) {
                fs.setPermission(new org.apache.hadoop.fs.Path(directoryName), new FsPermission((short) 0700));
            }
            write(fs, "/user/carol/notes", "carol's");
            fs.setOwner(new org.apache.hadoop.fs.Path("/user/carol"), "carol", null);
            fs.setPermission(new org.apache.hadoop.fs.Path("/user/carol"), new FsPermission((short) 0700));
            return null;
        });
    }

    @AfterAll
    static void stop() {
        if (opa != null) {
            opa.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    static Stream<Arguments> cells() {
        return AccessMatrix.cells(MATRIX, List.of("allowed", "denied"));
    }

    @Order(1)
    @ParameterizedTest(name = "{0} {1}: {2}")
    @MethodSource("cells")
    void cell(String user, String operation, String outcome) throws Exception {
        boolean allowed = outcome.equals("allowed");
        String path = switch (operation) {
            case "list-warehouse" -> "/warehouse";
            case "read-team" -> "/warehouse/data_engineering/orders/part-0";
            case "write-team" -> "/warehouse/data_engineering/orders/by-" + user;
            case "write-new-schema" -> "/warehouse/data_engineering_" + user.replaceAll("/.*", "") + "/t/by-" + user;
            case "delete-team" -> "/warehouse/data_engineering/orders/delete-me-" + user;
            case "read-curated" -> "/warehouse/curated/subscribers/part-0";
            case "write-curated" -> "/warehouse/curated/subscribers/by-" + user;
            case "read-planning" -> "/warehouse/network_planning/cells/part-0";
            case "list-carols-home" -> "/user/carol";
            default -> throw new IllegalArgumentException(operation);
        };
        if (operation.startsWith("delete")) {
            cluster.as("hdfs", fs -> write(fs, path, "to delete"));
        }
        HdfsCluster.FileSystemAction<Object> action = switch (operation.substring(0, operation.indexOf('-'))) {
            case "list" -> fs -> fs.listStatus(new org.apache.hadoop.fs.Path(path)).length;
            case "read" -> fs -> read(fs, path);
            case "write" -> fs -> write(fs, path, "written by " + user);
            case "delete" -> fs -> fs.delete(new org.apache.hadoop.fs.Path(path), false);
            default -> throw new IllegalArgumentException(operation);
        };
        boolean existedBefore = exists(path);
        if (allowed) {
            as(user, action);
        }
        else {
            String shortName = user.replaceAll("/.*", "");
            assertThatThrownBy(() -> as(user, action))
                    .isInstanceOf(AccessControlException.class)
                    .hasMessageContaining(path.startsWith("/warehouse")
                            ? "Permission denied by the platform's policies: user=" + shortName
                            : "Permission denied: user=" + shortName);
        }
        // What a write or a delete did, seen by the superuser: done if allowed, nothing if denied.
        if (operation.startsWith("write")) {
            assertThat(exists(path)).isEqualTo(allowed);
        }
        if (operation.startsWith("delete")) {
            assertThat(exists(path)).isEqualTo(!allowed);
            assertThat(existedBefore).isTrue();
        }
    }

    @Test
    @Order(2)
    void theSuperuserNeedsNoPolicy() throws Exception {
        String content = cluster.as("hdfs", fs -> read(fs, "/warehouse/network_planning/cells/part-0"));
        assertThat(content).isEqualTo("network_planning/cells");
    }

    @Test
    @Order(3)
    void withOpaStoppedEveryAccessIsDeniedThenAllowedAgainWhenItIsBack() throws Exception {
        DockerClient docker = DockerClientFactory.instance().client();
        docker.stopContainerCmd(opa.getContainerId()).withTimeout(5).exec();
        try {
            // Past the cache's second: the decision must be asked again.
            Thread.sleep(1500);
            assertThatThrownBy(() -> as("etl", fs -> read(fs, "/warehouse/data_engineering/orders/part-0")))
                    .isInstanceOf(AccessControlException.class)
                    .hasMessageContaining("the platform's authoriser (OPA) did not answer, so access is denied");
            assertThat(cluster.namenode.getLogs()).contains("platform authoriser: OPA at " + OPA_URL
                    + "/v1/data/hdfs/decision did not decide");
        }
        finally {
            docker.startContainerCmd(opa.getContainerId()).exec();
        }
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (true) {
            try {
                assertThat(as("etl", fs -> read(fs, "/warehouse/data_engineering/orders/part-0")))
                        .isEqualTo("data_engineering/orders");
                break;
            }
            catch (AccessControlException notYet) {
                if (Instant.now().isAfter(deadline)) {
                    throw notYet;
                }
                Thread.sleep(500);
            }
        }
        assertThat(cluster.namenode.getLogs()).contains("platform authoriser: OPA at " + OPA_URL
                + "/v1/data/hdfs/decision answers again");
    }

    private static Object as(String user, HdfsCluster.FileSystemAction<Object> action) throws Exception {
        UserGroupInformation ugi = user.startsWith("trino/")
                ? UserGroupInformation.loginUserFromKeytabAndReturnUGI(user + "@" + HdfsCluster.REALM,
                        cluster.keytab("trino.keytab").toString())
                : cluster.login(user);
        try {
            return cluster.as(ugi, action);
        }
        catch (java.lang.reflect.UndeclaredThrowableException e) {
            throw (Exception) e.getCause();
        }
    }

    private static boolean exists(String path) throws Exception {
        return cluster.as("hdfs", fs -> fs.exists(new org.apache.hadoop.fs.Path(path)));
    }

    private static Void write(FileSystem fs, String path, String content) throws IOException {
        try (FSDataOutputStream out = fs.create(new org.apache.hadoop.fs.Path(path), true)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }

    private static String read(FileSystem fs, String path) throws IOException {
        try (var in = fs.open(new org.apache.hadoop.fs.Path(path))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
