package io.dataplatform.image;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugins.annotations.Parameter;

/** Parameters shared by the goals that read or write a Debian lock. */
abstract class AbstractDebianMojo extends AbstractMojo {
    static final String REFRESH_COMMAND = "images/refresh-debian-locks (see README)";

    /** The image's lock; without one, the image has no Debian layer. */
    @Parameter(property = "image.debianLock")
    protected File debianLock;

    /** Packages the image asks for; their dependencies are resolved into the lock. */
    @Parameter
    protected List<String> debianPackages = new ArrayList<>();

    /**
     * Packages deliberately left out although something depends on them: installation-time tools whose work the
     * assembler does itself (debconf, openssl for update-ca-certificates, ...).
     */
    @Parameter
    protected List<String> debianExcludes = new ArrayList<>();

    /** Locks of the base images: their packages are already present and are not locked again. */
    @Parameter
    protected List<File> inheritedDebianLocks = new ArrayList<>();

    @Parameter(defaultValue = "https://deb.debian.org/debian")
    protected String debianMirror;

    @Parameter(defaultValue = "https://security.debian.org/debian-security")
    protected String debianSecurityMirror;

    @Parameter(defaultValue = "trixie")
    protected String debianSuite;

    @Parameter(defaultValue = "amd64")
    protected String debianArchitecture;

    /** The OpenPGP keyring that signs the suite's InRelease files (Debian's debian-archive-keyring package). */
    @Parameter(property = "debian.keyring", defaultValue = "/usr/share/keyrings/debian-archive-keyring.gpg")
    protected java.io.File debianKeyring;
}
