package io.dataplatform.trino.groups;

import java.util.List;

import io.trino.spi.Plugin;
import io.trino.spi.security.GroupProviderFactory;

public class FileGroupProviderPlugin implements Plugin {
    @Override
    public Iterable<GroupProviderFactory> getGroupProviderFactories() {
        return List.of(new FileGroupProviderFactory());
    }
}
