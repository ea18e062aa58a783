package io.dataplatform.trino.audit;

import com.google.inject.Binder;
import com.google.inject.Module;
import com.google.inject.Scopes;

import static io.airlift.configuration.ConfigBinder.configBinder;

public class AuditModule implements Module {
    @Override
    public void configure(Binder binder) {
        configBinder(binder).bindConfig(AuditConfig.class);
        binder.bind(AuditEventListener.class).in(Scopes.SINGLETON);
    }
}
