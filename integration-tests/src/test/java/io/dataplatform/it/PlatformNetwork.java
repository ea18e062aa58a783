package io.dataplatform.it;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.github.dockerjava.api.model.Network.Ipam;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;

/**
 * A Docker network with fixed addresses, so that every host has a fully qualified name that resolves both ways — in
 * the containers (through /etc/hosts entries) and in the test JVM (through {@link PlatformHostsResolverProvider}).
 * Kerberos needs this: services are named by host ({@code nn/_HOST}), and the NameNode resolves a DataNode's address
 * back to its name to check the DataNode's principal, as it does on a real network.
 */
final class PlatformNetwork implements AutoCloseable {
    static final String DOMAIN = "platform.test";
    static final String SUBNET = "172.31.213.0/24";
    /** Fully qualified host name → address. */
    static final Map<String, String> HOSTS = hosts("kdc", "namenode", "datanode1", "datanode2", "datanode3", "trino",
            "postgres", "spark-master", "spark-worker1", "spark-worker2", "spark-driver");

    private final Network network = Network.builder()
            .createNetworkCmdModifier(command -> command.withIpam(new Ipam()
                    .withConfig(new Ipam.Config().withSubnet(SUBNET))))
            .build();

    static String fqdn(String host) {
        return host + "." + DOMAIN;
    }

    /** Puts {@code container} on this network as {@code host} (a short name of {@link #HOSTS}). */
    <T extends GenericContainer<T>> T attach(T container, String host) {
        String name = fqdn(host);
        String address = address(name).orElseThrow(() -> new IllegalArgumentException("unknown host " + host));
        List<String> extraHosts = HOSTS.entrySet().stream()
                .filter(entry -> !entry.getKey().equals(name))
                .map(entry -> entry.getKey() + ":" + entry.getValue())
                .toList();
        return container.withNetwork(network)
                .withNetworkAliases(name)
                .withCreateContainerCmdModifier(command -> {
                    command.withHostName(name).withIpv4Address(address);
                    command.getHostConfig().withExtraHosts(extraHosts.toArray(String[]::new));
                });
    }

    static Optional<String> address(String host) {
        return Optional.ofNullable(HOSTS.get(host.toLowerCase(java.util.Locale.ROOT)));
    }

    static Optional<String> host(byte[] address) {
        try {
            String text = InetAddress.getByAddress(address).getHostAddress();
            return HOSTS.entrySet().stream().filter(entry -> entry.getValue().equals(text))
                    .map(Map.Entry::getKey).findFirst();
        }
        catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        network.close();
    }

    private static Map<String, String> hosts(String... names) {
        Map<String, String> hosts = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            hosts.put(fqdn(names[i]), "172.31.213." + (10 + i));
        }
        return Map.copyOf(hosts);
    }
}
