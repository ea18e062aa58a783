package io.dataplatform.it;

import java.time.Duration;

import com.github.dockerjava.api.model.Bind;
import org.testcontainers.containers.GenericContainer;

/** A NameNode or DataNode of the platform's Hadoop image, configured only through its environment and mounts. */
final class HadoopContainer extends GenericContainer<HadoopContainer> {
    static final String KEYTABS = "/etc/security/keytabs";
    static final String SSL = "/etc/security/ssl";

    private final String role;
    private boolean expectExit;

    HadoopContainer(PlatformImage image, String role) {
        super(image.name());
        this.role = role;
    }

    /** The shared keytab and keystore directories, read-only, as Secrets would be mounted. */
    HadoopContainer withSecrets(java.nio.file.Path keytabs, java.nio.file.Path ssl) {
        return withCreateContainerCmdModifier(command -> command.getHostConfig().withBinds(
                Bind.parse(keytabs + ":" + KEYTABS + ":ro"),
                Bind.parse(ssl + ":" + SSL + ":ro")));
    }

    /** For a daemon expected to refuse to start (bad input): {@link ContainerExit#of} reports how it ended. */
    HadoopContainer expectingExit() {
        expectExit = true;
        return this;
    }

    @Override
    protected void configure() {
        withCommand(role);
        withEnv("JDK_JAVA_OPTIONS", "-Xmx256m");
        withStartupAttempts(1);
        if (expectExit) {
            ContainerExit.expect(this);
            return;
        }
        // The NameNode is up when its RPC server listens; a DataNode when the NameNode accepted its first block
        // report (it authenticated with its keytab and passed service authorization).
        waitingFor(new LogLineWait(role.equals("namenode") ? "NameNode RPC up at" : "Successfully sent block report")
                .withStartupTimeout(Duration.ofMinutes(2)));
    }
}
