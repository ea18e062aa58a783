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
        Path cached = directory.resolve(lockedPackage.sha256() + ".deb");
        try {
            Files.createDirectories(directory);
            if (Files.exists(cached)) {
                String actual = Digests.sha256(cached);
                if (actual.equals(lockedPackage.sha256())) {
                    return cached;
                }
                // A damaged cache entry is not the lock's fault: drop it and download again.
                Files.delete(cached);
            }
            Path download = directory.resolve(lockedPackage.sha256() + ".unverified");
            try {
                Downloads.download(lockedPackage.url(), download);
            }
            catch (Downloads.NotFoundException e) {
                throw new ImageBuildException(("Debian package %s is missing from the mirror (%s). The version in the "
                        + "lock was probably superseded: run the refresh command (README) and commit the new lock.")
                        .formatted(lockedPackage, e.getMessage()), e);
            }
            catch (IOException e) {
                throw new ImageBuildException("Cannot download Debian package %s from %s: %s"
                        .formatted(lockedPackage, lockedPackage.url(), e.getMessage()), e);
            }
            String actual = Digests.sha256(download);
            if (!actual.equals(lockedPackage.sha256())) {
                Files.delete(download);
                throw new ImageBuildException(("Debian package %s failed verification: the lock pins SHA-256 %s, "
                        + "%s has %s. Nothing was built; check the lock and the mirror.")
                        .formatted(lockedPackage, lockedPackage.sha256(), lockedPackage.url(), actual));
            }
            Files.move(download, cached, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return cached;
        }
        catch (IOException e) {
            throw new ImageBuildException("Package cache %s: %s".formatted(directory, e.getMessage()), e);
        }
    }
}
