package io.dataplatform.trino.groups;

import com.google.inject.Binder;
import com.google.inject.Module;
import com.google.inject.Scopes;

import static io.airlift.configuration.ConfigBinder.configBinder;

public class FileGroupProviderModule implements Module {
    @Override
    public void configure(Binder binder) {
        configBinder(binder).bindConfig(FileGroupProviderConfig.class);
        binder.bind(FileGroupProvider.class).in(Scopes.SINGLETON);
    }
}
