package io.dataplatform.image;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestDebianResolver {
    private static final String INDEX = """
            Package: libc6
            Version: 2.41-12
            Architecture: amd64
            Depends: libgcc-s1
            Filename: pool/main/g/glibc/libc6_2.41-12_amd64.deb
            Size: 100
            SHA256: 1111111111111111111111111111111111111111111111111111111111111111

            Package: libc6
            Version: 2.41-12+deb13u5
            Architecture: amd64
            Depends: libgcc-s1
            Filename: pool/updates/main/g/glibc/libc6_2.41-12+deb13u5_amd64.deb
            Size: 101
            SHA256: 2222222222222222222222222222222222222222222222222222222222222222

            Package: libgcc-s1
            Version: 14.2.0-19
            Architecture: amd64
            Depends: libc6 (>= 2.35)
            Filename: pool/main/g/gcc-14/libgcc-s1_14.2.0-19_amd64.deb
            Size: 50
            SHA256: 3333333333333333333333333333333333333333333333333333333333333333

            Package: tzdata
            Version: 2026f-0+deb13u1
            Architecture: all
            Depends: debconf (>= 0.5) | debconf-2.0
            Filename: pool/main/t/tzdata/tzdata_2026f-0+deb13u1_all.deb
            Size: 60
            SHA256: 4444444444444444444444444444444444444444444444444444444444444444

            Package: debconf
            Version: 1.5.91
            Architecture: all
            Depends: perl-base
            Filename: pool/main/d/debconf/debconf_1.5.91_all.deb
            Size: 70
            SHA256: 5555555555555555555555555555555555555555555555555555555555555555

            Package: perl-base
            Version: 5.40.1
            Architecture: amd64
            Filename: pool/main/p/perl/perl-base_5.40.1_amd64.deb
            Size: 75
            SHA256: 8888888888888888888888888888888888888888888888888888888888888888

            Package: broken
            Version: 1.0
            Architecture: amd64
            Depends: no-such-library (>= 2)
            Filename: pool/main/b/broken/broken_1.0_amd64.deb
            Size: 10
            SHA256: 9999999999999999999999999999999999999999999999999999999999999999

            Package: mawk
            Version: 1.3.4
            Architecture: amd64
            Provides: awk
            Depends: libc6
            Filename: pool/main/m/mawk/mawk_1.3.4_amd64.deb
            Size: 80
            SHA256: 6666666666666666666666666666666666666666666666666666666666666666

            Package: base-files
            Version: 13.8
            Architecture: amd64
            Pre-Depends: awk
            Filename: pool/main/b/base-files/base-files_13.8_amd64.deb
            Size: 90
            SHA256: 7777777777777777777777777777777777777777777777777777777777777777
            """;

    private final DebianResolver resolver = DebianResolver.fromIndex(INDEX, "https://mirror.example/debian");

    @Test
    void takesTheNewestVersionAndTheDependencyClosure() {
        List<DebianLock.LockedPackage> packages = resolver.resolve(List.of("libc6"), Set.of(), Set.of());
        assertThat(packages).extracting(DebianLock.LockedPackage::name).containsExactly("libc6", "libgcc-s1");
        assertThat(packages.getFirst().version()).isEqualTo("2.41-12+deb13u5");
        assertThat(packages.getFirst().url())
                .isEqualTo("https://mirror.example/debian/pool/updates/main/g/glibc/libc6_2.41-12+deb13u5_amd64.deb");
        assertThat(packages.getFirst().sha256()).startsWith("2222");
    }

    @Test
    void excludedPackagesSatisfyTheirAlternativeGroup() {
        assertThat(resolver.resolve(List.of("tzdata"), Set.of("debconf"), Set.of()))
                .extracting(DebianLock.LockedPackage::name).containsExactly("tzdata");
        assertThat(resolver.resolve(List.of("tzdata"), Set.of(), Set.of()))
                .extracting(DebianLock.LockedPackage::name).contains("debconf");
    }

    @Test
    void virtualPackagesResolveThroughProvides() {
        assertThat(resolver.resolve(List.of("base-files"), Set.of(), Set.of()))
                .extracting(DebianLock.LockedPackage::name)
                .containsExactly("base-files", "libc6", "libgcc-s1", "mawk");
    }

    @Test
    void inheritedPackagesAreNotLockedAgain() {
        assertThat(resolver.resolve(List.of("mawk"), Set.of(), Set.of("libc6", "libgcc-s1")))
                .extracting(DebianLock.LockedPackage::name).containsExactly("mawk");
    }

    @Test
    void unknownPackagesAndUnresolvableDependenciesAreNamed() {
        assertThatThrownBy(() -> resolver.resolve(List.of("no-such-package"), Set.of(), Set.of()))
                .hasMessageContaining("'no-such-package' is not in the package index");
        assertThatThrownBy(() -> resolver.resolve(List.of("broken"), Set.of(), Set.of()))
                .hasMessageContaining("Cannot resolve 'no-such-library', a dependency of broken 1.0");
    }

    @Test
    void aLockMissingADependencyIsRejected() {
        Map<DebianLock.LockedPackage, ControlStanza> controls = new LinkedHashMap<>();
        ControlStanza libc = ControlStanza.parse("Package: libc6\nVersion: 2.41\nDepends: libgcc-s1\n");
        controls.put(new DebianLock.LockedPackage("libc6", "2.41", "amd64", "a".repeat(64), 1, "u"), libc);
        assertThatThrownBy(() -> DebianResolver.checkClosed(controls, Set.of(), Set.of(), "debian.lock"))
                .hasMessageContaining("debian.lock is missing a package: libc6 2.41 depends on 'libgcc-s1'");
        DebianResolver.checkClosed(controls, Set.of(), Set.of("libgcc-s1"), "debian.lock");
    }

    @Test
    void relationsDropVersionsAndArchitectureQualifiers() {
        assertThat(ControlStanza.relations("libc6 (>= 2.38), python3:any, debconf (>= 0.5) | debconf-2.0"))
                .containsExactly(List.of("libc6"), List.of("python3"), List.of("debconf", "debconf-2.0"));
    }
}
