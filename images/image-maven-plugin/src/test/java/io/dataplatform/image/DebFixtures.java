package io.dataplatform.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;

/** Builds small but real .deb files (ar + xz tars, as Debian ships them) for tests that must not hit a mirror. */
final class DebFixtures {
    private DebFixtures() {}

    static Path deb(Path directory, String name, String version, String depends, Map<String, String> files)
            throws IOException {
        String control = "Package: %s\nVersion: %s\nArchitecture: amd64\nMaintainer: Tests <tests@example.invalid>\n"
                .formatted(name, version)
                + (depends == null ? "" : "Depends: " + depends + "\n")
                + "Description: test package\n";
        byte[] controlTar = tarXz(Map.of("./control", control));
        byte[] dataTar = tarXz(files);
        Path deb = directory.resolve(name + "_" + version.replace(':', '%') + "_amd64.deb");
        try (OutputStream file = Files.newOutputStream(deb);
                ArArchiveOutputStream ar = new ArArchiveOutputStream(file)) {
            member(ar, "debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII));
            member(ar, "control.tar.xz", controlTar);
            member(ar, "data.tar.xz", dataTar);
        }
        return deb;
    }

    static DebianLock.LockedPackage locked(Path deb, String name, String version) throws IOException {
        return new DebianLock.LockedPackage(name, version, "amd64", Digests.sha256(deb), Files.size(deb),
                deb.toUri().toString());
    }

    private static void member(ArArchiveOutputStream ar, String name, byte[] content) throws IOException {
        ArArchiveEntry entry = new ArArchiveEntry(name, content.length, 0, 0, 0100644, 0);
        ar.putArchiveEntry(entry);
        ar.write(content);
        ar.closeArchiveEntry();
    }

    private static byte[] tarXz(Map<String, String> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new XZCompressorOutputStream(bytes))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, String> file : new java.util.TreeMap<>(files).entrySet()) {
                if (file.getValue().startsWith("->")) {
                    TarArchiveEntry link = new TarArchiveEntry(file.getKey(), TarArchiveEntry.LF_SYMLINK);
                    link.setLinkName(file.getValue().substring(2));
                    tar.putArchiveEntry(link);
                    tar.closeArchiveEntry();
                    continue;
                }
                byte[] content = file.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
                entry.setSize(content.length);
                entry.setMode(0100644);
                tar.putArchiveEntry(entry);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }
}
