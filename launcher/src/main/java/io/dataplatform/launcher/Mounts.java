package io.dataplatform.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import javax.security.auth.kerberos.KerberosPrincipal;
import javax.security.auth.kerberos.KeyTab;

/** Checks of what a deployment mounts (Secrets: keytabs, keystores), made before anything starts. */
public final class Mounts {
    private Mounts() {}

    /**
     * What is wrong with the file a process must read at {@code location}, if anything: {@code <what> is not
     * configured}, {@code <what> <path> does not exist}, {@code <what> <path> is not readable by uid <n>}. {@code what}
     * names the setting, e.g. "the keytab (KERBEROS_KEYTAB)".
     */
    public static Optional<String> readableFile(String location, String what) {
        if (location == null || location.isBlank()) {
            return Optional.of(what + " is not configured");
        }
        Path path = Path.of(location.strip());
        if (!Files.isRegularFile(path)) {
            return Optional.of(what + " " + path + " does not exist");
        }
        if (!Files.isReadable(path)) {
            return Optional.of(what + " " + path + " is not readable by uid " + uid());
        }
        return Optional.empty();
    }

    /**
     * A readable keytab that cannot log {@code principal} in (a fully qualified principal, e.g.
     * {@code HTTP/trino.platform.svc@PLATFORM.EXAMPLE}): {@code <what> <path> holds no key for <principal>: not this
     * service's keytab (or not a keytab)}. Another problem of the file is {@link #readableFile}'s.
     */
    public static Optional<String> keytabFor(String location, String principal, String what) {
        Optional<String> unreadable = readableFile(location, what);
        if (unreadable.isPresent()) {
            return unreadable;
        }
        Path path = Path.of(location.strip());
        KeyTab keytab = KeyTab.getInstance(path.toFile());
        if (keytab.getKeys(new KerberosPrincipal(principal)).length == 0) {
            return Optional.of("%s %s holds no key for %s: not this service's keytab (or not a keytab)".formatted(what,
                    path, principal));
        }
        return Optional.empty();
    }

    private static String uid() {
        try {
            return Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString();
        }
        catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return System.getProperty("user.name");
        }
    }
}
