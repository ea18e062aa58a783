package io.dataplatform.trino.groups;

import java.io.File;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.airlift.units.Duration;
import org.junit.jupiter.api.Test;

import static io.airlift.configuration.testing.ConfigAssertions.assertFullMapping;
import static io.airlift.configuration.testing.ConfigAssertions.assertRecordedDefaults;
import static io.airlift.configuration.testing.ConfigAssertions.recordDefaults;

class TestFileGroupProviderConfig {
    @Test
    void defaults() {
        assertRecordedDefaults(recordDefaults(FileGroupProviderConfig.class)
                .setGroupsFile(null)
                .setRefreshPeriod(new Duration(5, TimeUnit.SECONDS)));
    }

    @Test
    void explicitProperties() {
        Map<String, String> properties = Map.of(
                "file-group-provider.groups-file", "/etc/trino/groups.txt",
                "file-group-provider.refresh-period", "1m");
        assertFullMapping(properties, new FileGroupProviderConfig()
                .setGroupsFile(new File("/etc/trino/groups.txt"))
                .setRefreshPeriod(new Duration(1, TimeUnit.MINUTES)));
    }
}
