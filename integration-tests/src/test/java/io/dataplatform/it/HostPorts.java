package io.dataplatform.it;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

/** Host ports as Docker maps them now: a restart maps them anew, which getMappedPort does not see. */
final class HostPorts {
    private HostPorts() {}

    static int current(GenericContainer<?> container, int port) {
        return Integer.parseInt(DockerClientFactory.instance().client().inspectContainerCmd(container.getContainerId())
                .exec().getNetworkSettings().getPorts().getBindings().entrySet().stream()
                .filter(entry -> entry.getKey().getPort() == port)
                .findFirst().orElseThrow().getValue()[0].getHostPortSpec());
    }
}
