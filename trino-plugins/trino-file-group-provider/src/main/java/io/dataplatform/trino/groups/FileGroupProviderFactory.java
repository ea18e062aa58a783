package io.dataplatform.trino.groups;

import java.util.Map;

import com.google.inject.Injector;
import io.airlift.bootstrap.Bootstrap;
import io.trino.spi.security.GroupProvider;
import io.trino.spi.security.GroupProviderFactory;

/** {@code group-provider.name=platform-file} in {@code etc/group-provider.properties}. */
public class FileGroupProviderFactory implements GroupProviderFactory {
    @Override
    public String getName() {
        return "platform-file";
    }

    @Override
    public GroupProvider create(Map<String, String> config) {
        Bootstrap app = new Bootstrap(new FileGroupProviderModule());
        Injector injector = app
                .doNotInitializeLogging()
                .setRequiredConfigurationProperties(config)
                .initialize();
        return injector.getInstance(FileGroupProvider.class);
    }
}
