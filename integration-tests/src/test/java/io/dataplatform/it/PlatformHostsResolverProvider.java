package io.dataplatform.it;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.stream.Stream;

/**
 * Resolves the hosts of {@link PlatformNetwork} (forward and reverse) in the test JVM, as DNS would on a real
 * network; every other name goes to the JDK's resolver. Registered in META-INF/services.
 */
public final class PlatformHostsResolverProvider extends InetAddressResolverProvider {
    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                var address = PlatformNetwork.address(host);
                if (address.isEmpty()) {
                    return builtin.lookupByName(host, policy);
                }
                return Stream.of(InetAddress.getByAddress(host, InetAddress.ofLiteral(address.get()).getAddress()));
            }

            @Override
            public String lookupByAddress(byte[] address) throws UnknownHostException {
                var host = PlatformNetwork.host(address);
                return host.isPresent() ? host.get() : builtin.lookupByAddress(address);
            }
        };
    }

    @Override
    public String name() {
        return "platform-test-hosts";
    }
}
