package io.dataplatform.trino.groups;

import java.io.File;
import java.util.concurrent.TimeUnit;

import io.airlift.configuration.Config;
import io.airlift.configuration.ConfigDescription;
import io.airlift.units.Duration;
import io.airlift.units.MinDuration;
import jakarta.validation.constraints.NotNull;

public class FileGroupProviderConfig {
    private File groupsFile;
    private Duration refreshPeriod = new Duration(5, TimeUnit.SECONDS);

    @NotNull
    public File getGroupsFile() {
        return groupsFile;
    }

    @Config("file-group-provider.groups-file")
    @ConfigDescription("File of 'group: user, user' lines (see README)")
    public FileGroupProviderConfig setGroupsFile(File groupsFile) {
        this.groupsFile = groupsFile;
        return this;
    }

    @NotNull
    @MinDuration("1ms")
    public Duration getRefreshPeriod() {
        return refreshPeriod;
    }

    @Config("file-group-provider.refresh-period")
    @ConfigDescription("How often the file is checked for changes")
    public FileGroupProviderConfig setRefreshPeriod(Duration refreshPeriod) {
        this.refreshPeriod = refreshPeriod;
        return this;
    }
}
