package io.dataplatform.it;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;

import static org.assertj.core.api.Assertions.assertThat;

/** The OS image on its own: what an image without Java inherits. */
class BaseOsImageIT {
    @Test
    void providesAShellTheUserTheCaBundleAndTheTimezoneDatabase() {
        // dash built-ins only: the base image deliberately carries no coreutils.
        String script = """
                set -e
                echo "home=$HOME"
                echo "lang=$LANG"
                read -r root < /etc/passwd; echo "passwd.first=$root"
                while IFS=: read -r name _ uid _; do [ "$name" = platform ] && echo "passwd.platform.uid=$uid"; done < /etc/passwd
                [ -s /etc/ssl/certs/ca-certificates.crt ] && echo "ca.bundle=present"
                [ -f /usr/share/zoneinfo/Europe/Paris ] && echo "zoneinfo=present"
                [ -w /etc ] && echo "etc=writable" || echo "etc=read-only"
                read -r os < /etc/os-release; echo "os=$os"
                """;
        try (GenericContainer<?> container = new GenericContainer<>(PlatformImage.of("base-os").name())
                .withCommand("/bin/sh", "-c", script)
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(30)))) {
            container.start();
            assertThat(container.getLogs()).contains(
                    "home=/home/platform",
                    "lang=C.UTF-8",
                    "passwd.first=root:x:0:0:root:/root:/bin/sh",
                    "passwd.platform.uid=1000",
                    "ca.bundle=present",
                    "zoneinfo=present",
                    "etc=read-only",
                    "os=PRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"");
        }
    }
}
