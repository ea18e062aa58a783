package io.dataplatform.trino.audit;

import java.util.List;

import io.trino.spi.Plugin;
import io.trino.spi.eventlistener.EventListenerFactory;

public class AuditEventListenerPlugin implements Plugin {
    @Override
    public Iterable<EventListenerFactory> getEventListenerFactories() {
        return List.of(new AuditEventListenerFactory());
    }
}
