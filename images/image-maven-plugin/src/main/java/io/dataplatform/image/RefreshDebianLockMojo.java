package io.dataplatform.image;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Re-resolves an image's Debian lock from the suite's package indexes (release, updates and security archives),
 * taking the newest version of each package. Run it to take security updates; review and commit the diff.
 */
@Mojo(name = "refresh-debian-lock", threadSafe = true)
public class RefreshDebianLockMojo extends AbstractDebianMojo {
    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (debianLock == null) {
            getLog().info("No debianLock configured: nothing to refresh");
            return;
        }
        if (debianPackages.isEmpty()) {
            throw new MojoFailureException("debianPackages is empty: list the packages the image asks for");
        }
        try {
            Set<String> inherited = new HashSet<>();
            for (var lock : inheritedDebianLocks) {
                DebianLock.read(lock.toPath()).packages().forEach(each -> inherited.add(each.name()));
            }
            DebianResolver resolver = DebianResolver.fromArchives(List.of(
                    new DebianResolver.Archive(debianMirror, debianSuite),
                    new DebianResolver.Archive(debianMirror, debianSuite + "-updates"),
                    new DebianResolver.Archive(debianSecurityMirror, debianSuite + "-security")), debianArchitecture,
                    debianKeyring.toPath());
            List<DebianLock.LockedPackage> packages = resolver.resolve(debianPackages, new HashSet<>(debianExcludes),
                    inherited);
            DebianLock lock = new DebianLock(debianSuite, debianArchitecture, debianPackages, debianExcludes, packages);
            lock.write(debianLock.toPath(), REFRESH_COMMAND);
            long bytes = packages.stream().mapToLong(DebianLock.LockedPackage::size).sum();
            getLog().info("Wrote %s: %d packages, %d kB of .deb".formatted(debianLock, packages.size(), bytes >> 10));
        }
        catch (ImageBuildException e) {
            throw new MojoFailureException(e.getMessage(), e);
        }
        catch (IOException e) {
            throw new MojoExecutionException("Cannot write " + debianLock, e);
        }
    }
}
