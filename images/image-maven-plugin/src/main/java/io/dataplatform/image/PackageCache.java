package io.dataplatform.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.util.Objects.requireNonNull;

/**
 * Debian packages on disk, stored by SHA-256. A cached file is reused for as long as any lock names its checksum,
 * even after the mirror dropped it (pool URLs disappear when trixie supersedes a version), and is verified every
 * time it is used.
 */
public final class PackageCache {
    private final Path directory;

    public PackageCache(Path directory) {
        this.directory = requireNonNull(directory, "directory is null");
    }

    public Path fetch(DebianLock.LockedPackage lockedPackage) {
        return fetch(lockedPackage.sha256(), lockedPackage.url(), ".deb", "Debian package " + lockedPackage,
                "the mirror", "The version in the lock was probably superseded: run the refresh command (README) and "
                        + "commit the new lock.");
    }

    /** A wheel of a {@link PythonLock}, stored by its SHA-256 like a package. */
    public Path fetch(PythonLock.Wheel wheel) {
        boolean source = wheel.url().endsWith(SourceDistribution.SUFFIX);
        return fetch(wheel.sha256(), wheel.url(), source ? SourceDistribution.SUFFIX : ".whl",
                (source ? "Python source distribution " : "Python wheel ") + wheel + " (" + wheel.fileName() + ")",
                "the package index", "Refresh the lock (%s) and commit it.".formatted(PythonLock.REFRESH_COMMAND));
    }

    /**
     * The file of SHA-256 {@code sha256} from the cache, or downloaded from {@code url} and verified first; what it is,
     * where it comes from and what to do when it is gone are for the messages.
     */
    private Path fetch(String sha256, String url, String suffix, String what, String source, String whenMissing) {
        Path cached = directory.resolve(sha256 + suffix);
        try {
            Files.createDirectories(directory);
            if (Files.exists(cached)) {
                String actual = Digests.sha256(cached);
                if (actual.equals(sha256)) {
                    return cached;
                }
                // A damaged cache entry is not the lock's fault: drop it and download again.
                Files.delete(cached);
            }
            Path download = directory.resolve(sha256 + ".unverified");
            try {
                Downloads.download(url, download);
            }
            catch (Downloads.NotFoundException e) {
                throw new ImageBuildException("%s is missing from %s (%s). %s".formatted(what, source, e.getMessage(),
                        whenMissing), e);
            }
            catch (IOException e) {
                throw new ImageBuildException("Cannot download %s from %s: %s".formatted(what, url, e.getMessage()),
                        e);
            }
            String actual = Digests.sha256(download);
            if (!actual.equals(sha256)) {
                Files.delete(download);
                throw new ImageBuildException(("%s failed verification: the lock pins SHA-256 %s, %s has %s. Nothing "
                        + "was built; check the lock and %s.").formatted(what, sha256, url, actual, source));
            }
            Files.move(download, cached, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return cached;
        }
        catch (IOException e) {
            throw new ImageBuildException("Package cache %s: %s".formatted(directory, e.getMessage()), e);
        }
    }
}
