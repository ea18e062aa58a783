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
    /**
     * The tests' fixed subnets lie in 198.18.0.0/15 (RFC 2544, benchmark networks): outside Docker's default address
     * pools (172.17–172.31.0.0/16, 192.168.0.0/16), from which every other network of the suite — Testcontainers'
     * own — is given a subnet in turn. A fixed subnet inside those pools fails to be created ("Pool overlaps") as
     * soon as the engine has handed out enough networks to reach it.
     */
    static final String TEST_SUBNET = "198.18.213";
    /** The development platform's site (DevelopmentPlatform): another fixed subnet beside the tests' one. */
    static final String SITE_SUBNET = "198.18.214";
    /** Fully qualified host name → address. */
    static final Map<String, String> HOSTS = hosts("kdc", "namenode", "datanode1", "datanode2", "datanode3", "trino",
            "postgres", "spark-master", "spark-worker1", "spark-worker2", "spark-driver", "opa");

    private final String domain;
    private final Map<String, String> hosts;
    private final Network network;

    /** The tests' network: {@link #DOMAIN}, {@link #HOSTS} (which the test JVM resolves too). */
    PlatformNetwork() {
        this(DOMAIN, TEST_SUBNET, HOSTS);
    }

    /**
     * Another site's network (the development platform's, beside its Kubernetes node): {@code names} in
     * {@code domain} at {@code prefix}.10 and up, resolved in its containers and in the test JVM.
     */
    static PlatformNetwork site(String domain, String prefix, String... names) {
        Map<String, String> hosts = siteHosts(domain, prefix, names);
        SITES.putAll(hosts);
        return new PlatformNetwork(domain, prefix, hosts);
    }

    /** The other sites' hosts, which the test JVM resolves too once a site exists. */
    private static final Map<String, String> SITES = new java.util.concurrent.ConcurrentHashMap<>();

    private PlatformNetwork(String domain, String prefix, Map<String, String> hosts) {
        this.domain = domain;
        this.hosts = hosts;
        this.network = Network.builder()
                .createNetworkCmdModifier(command -> command.withIpam(new Ipam()
                        .withConfig(new Ipam.Config().withSubnet(prefix + ".0/24"))))
                .build();
    }

    /** {@code host}'s fully qualified name on this network. */
    String name(String host) {
        return host + "." + domain;
    }

    /** Fully qualified host name → address, on this network. */
    Map<String, String> hosts() {
        return hosts;
    }

    Network network() {
        return network;
    }

    static String fqdn(String host) {
        return host + "." + DOMAIN;
    }

    /** Puts {@code container} on this network as {@code host} (a short name of {@link #HOSTS}). */
    <T extends GenericContainer<T>> T attach(T container, String host) {
        String name = name(host);
        String address = java.util.Optional.ofNullable(hosts.get(name))
                .orElseThrow(() -> new IllegalArgumentException("unknown host " + host));
        List<String> extraHosts = hosts.entrySet().stream()
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
        String name = host.toLowerCase(java.util.Locale.ROOT);
        return Optional.ofNullable(HOSTS.getOrDefault(name, SITES.get(name)));
    }

    static Optional<String> host(byte[] address) {
        try {
            String text = InetAddress.getByAddress(address).getHostAddress();
            return java.util.stream.Stream.concat(HOSTS.entrySet().stream(), SITES.entrySet().stream())
                    .filter(entry -> entry.getValue().equals(text)).map(Map.Entry::getKey).findFirst();
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
        return siteHosts(DOMAIN, TEST_SUBNET, names);
    }

    private static Map<String, String> siteHosts(String domain, String prefix, String... names) {
        Map<String, String> hosts = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            hosts.put(names[i] + "." + domain, prefix + "." + (10 + i));
        }
        return Map.copyOf(hosts);
    }
}
