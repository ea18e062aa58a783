package io.dataplatform.trino.launcher;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestNodeConfiguration {
    @Test
    void workerTakesItsIdFromTheHostNameAndNeedsTheCoordinator() {
        NodeConfiguration worker = NodeConfiguration.from("worker",
                Map.of("HOSTNAME", "trino-worker-7f9c", "TRINO_DISCOVERY_URI", "http://coordinator:8080"),
                () -> "unused");
        assertThat(worker.nodeId()).isEqualTo("trino-worker-7f9c");
        assertThat(worker.configProperties(""))
                .contains("coordinator=false\n", "discovery.uri=http://coordinator:8080\n",
                        "catalog.config-dir=" + worker.catalogDirectory() + "\n")
                .doesNotContain("node-scheduler.include-coordinator");
        // Trino reads the catalogs the launcher prepared from the mounted ones (and the lakehouse variables).
        assertThat(worker.mountedCatalogs()).hasToString("/etc/trino/catalog");
        assertThat(worker.catalogDirectory()).isEqualTo(worker.workDirectory().resolve("catalog"));
        assertThat(worker.systemProperties()).containsEntry("node.id", "trino-worker-7f9c");

        assertThatThrownBy(() -> NodeConfiguration.from("worker", Map.of("HOSTNAME", "w"), () -> "w"))
                .hasMessageContaining("A worker needs TRINO_DISCOVERY_URI");
    }

    @Test
    void aFullyQualifiedHostNameMakesAValidNodeId() {
        assertThat(NodeConfiguration.from("single", Map.of("HOSTNAME", "trino.platform.test"), () -> "unused")
                .nodeId()).isEqualTo("trino-platform-test");
        assertThat(NodeConfiguration.from("single", Map.of(), () -> "trino-1.dc2.operator.example").nodeId())
                .isEqualTo("trino-1-dc2-operator-example");
        assertThatThrownBy(() -> NodeConfiguration.from("single", Map.of("TRINO_NODE_ID", "node.1"), () -> "h"))
                .hasMessageContaining("Node id 'node.1' is not valid");
    }

    @Test
    void coordinatorLeavesSplitsToWorkersUnlessSingle() {
        assertThat(NodeConfiguration.from(null, Map.of("TRINO_ROLE", "coordinator"), () -> "c").configProperties(""))
                .contains("coordinator=true\n", "node-scheduler.include-coordinator=false\n",
                        "discovery.uri=http://localhost:8080\n");
        assertThat(NodeConfiguration.from(null, Map.of(), () -> "c").configProperties(""))
                .contains("coordinator=true\n", "node-scheduler.include-coordinator=true\n");
    }

    @Test
    void mountedSettingsWin() {
        NodeConfiguration coordinator = NodeConfiguration.from("coordinator", Map.of("TRINO_HTTP_PORT", "9090"),
                () -> "c");
        assertThat(coordinator.configProperties("query.max-memory=2GB\nhttp-server.http.port=8443\n"))
                .contains("query.max-memory=2GB\n", "http-server.http.port=8443\n")
                .doesNotContain("http-server.http.port=9090");
    }

    @Test
    void opaDecidesAccessOnTheCoordinatorWhenSet() {
        NodeConfiguration coordinator = NodeConfiguration.from("coordinator",
                Map.of("TRINO_OPA_URL", "http://opa.platform.svc:8181/"), () -> "c");
        assertThat(coordinator.configProperties(""))
                .contains("access-control.config-files=" + coordinator.accessControlFile() + "\n");
        assertThat(coordinator.accessControlProperties().orElseThrow())
                .contains("access-control.name=opa\n",
                        "opa.policy.uri=http://opa.platform.svc:8181/v1/data/trino/allow\n",
                        "opa.policy.batched-uri=http://opa.platform.svc:8181/v1/data/trino/batch\n",
                        "opa.policy.row-filters-uri=http://opa.platform.svc:8181/v1/data/trino/row_filters\n",
                        "opa.policy.column-masking-uri=http://opa.platform.svc:8181/v1/data/trino/column_mask\n");

        NodeConfiguration worker = NodeConfiguration.from("worker", Map.of("TRINO_OPA_URL", "http://opa:8181",
                "TRINO_DISCOVERY_URI", "http://coordinator:8080"), () -> "w");
        assertThat(worker.accessControlProperties()).isEmpty();
        assertThat(worker.configProperties("")).doesNotContain("access-control");
        assertThat(NodeConfiguration.from(null, Map.of(), () -> "c").configProperties(""))
                .doesNotContain("access-control");
    }

    @Test
    void badInputIsNamed() {
        assertThatThrownBy(() -> NodeConfiguration.from(null, Map.of("TRINO_OPA_URL", "opa:8181"), () -> "c"))
                .hasMessageContaining("TRINO_OPA_URL 'opa:8181' is not OPA's address");
        assertThatThrownBy(() -> NodeConfiguration.from(null,
                Map.of("TRINO_OPA_URL", "http://opa:8181/v1/data/trino/allow"), () -> "c"))
                .hasMessageContaining("without a path");
        assertThatThrownBy(() -> NodeConfiguration.from("gateway", Map.of(), () -> "c"))
                .hasMessageContaining("unknown role 'gateway' (argument or TRINO_ROLE): expected coordinator, worker or single");
        assertThatThrownBy(() -> NodeConfiguration.from(null, Map.of("TRINO_HTTP_PORT", "http"), () -> "c"))
                .hasMessageContaining("TRINO_HTTP_PORT is not a port number: http");
        assertThatThrownBy(() -> NodeConfiguration.from(null, Map.of("TRINO_ENVIRONMENT", "Prod-1"), () -> "c"))
                .hasMessageContaining("TRINO_ENVIRONMENT 'Prod-1'");
    }
}
