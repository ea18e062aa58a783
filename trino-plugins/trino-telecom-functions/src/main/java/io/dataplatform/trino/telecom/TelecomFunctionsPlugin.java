package io.dataplatform.trino.telecom;

import java.util.Set;

import io.trino.spi.Plugin;

/** SQL functions for subscriber identifiers: {@code normalize_msisdn}, {@code imsi_mcc}, {@code is_valid_imei}, ... */
public class TelecomFunctionsPlugin implements Plugin {
    @Override
    public Set<Class<?>> getFunctions() {
        return Set.of(MsisdnFunctions.class, ImsiFunctions.class, ImeiFunctions.class);
    }
}
