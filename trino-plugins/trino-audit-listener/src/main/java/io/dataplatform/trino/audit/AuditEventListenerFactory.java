package io.dataplatform.trino.audit;

import java.util.Map;

import com.google.inject.Injector;
import io.airlift.bootstrap.Bootstrap;
import io.trino.spi.eventlistener.EventListener;
import io.trino.spi.eventlistener.EventListenerFactory;

/** {@code event-listener.name=platform-audit} in a file listed by {@code event-listener.config-files}. */
public class AuditEventListenerFactory implements EventListenerFactory {
    @Override
    public String getName() {
        return "platform-audit";
    }

    @Override
    public EventListener create(Map<String, String> config, EventListenerContext context) {
        Bootstrap app = new Bootstrap(new AuditModule());
        Injector injector = app
                .doNotInitializeLogging()
                .setRequiredConfigurationProperties(config)
                .initialize();
        return injector.getInstance(AuditEventListener.class);
    }
}
