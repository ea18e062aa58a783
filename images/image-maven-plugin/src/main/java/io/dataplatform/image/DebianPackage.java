package io.dataplatform.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Reads a .deb (an ar archive of debian-binary, control.tar.* and data.tar.*) without dpkg: its control paragraph,
 * and its files into a {@link Layer}. Maintainer scripts are not run; what they would have done, an image declares.
 */
public final class DebianPackage {
    private DebianPackage() {}

    public static ControlStanza control(Path deb) {
        try (ArArchiveInputStream ar = new ArArchiveInputStream(new BufferedInputStream(Files.newInputStream(deb)))) {
            for (ArArchiveEntry member = ar.getNextEntry(); member != null; member = ar.getNextEntry()) {
                if (member.getName().startsWith("control.tar")) {
                    try (TarArchiveInputStream tar = new TarArchiveInputStream(decompress(member.getName(), ar, deb))) {
                        for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                            if (Layer.normalize(entry.getName()).equals("control")) {
                                return ControlStanza.parse(new String(tar.readAllBytes(), StandardCharsets.UTF_8));
                            }
                        }
                    }
                }
            }
        }
        catch (IOException e) {
            throw new ImageBuildException("Cannot read Debian package " + deb + ": " + e.getMessage(), e);
        }
        throw new ImageBuildException("Debian package %s has no control file".formatted(deb));
    }

    /** Adds every file, directory and link of the package's data.tar to {@code layer}. */
    public static void extractInto(Path deb, Layer layer) {
        try (ArArchiveInputStream ar = new ArArchiveInputStream(new BufferedInputStream(Files.newInputStream(deb)))) {
            for (ArArchiveEntry member = ar.getNextEntry(); member != null; member = ar.getNextEntry()) {
                if (member.getName().startsWith("data.tar")) {
                    // The ar stream is not closed by the tar stream on purpose: closing belongs to the outer try.
                    TarArchiveInputStream tar = new TarArchiveInputStream(decompress(member.getName(), ar, deb));
                    for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                        add(layer, entry, tar);
                    }
                    return;
                }
            }
        }
        catch (IOException e) {
            throw new ImageBuildException("Cannot read Debian package " + deb + ": " + e.getMessage(), e);
        }
        throw new ImageBuildException("Debian package %s has no data.tar member".formatted(deb));
    }

    private static void add(Layer layer, TarArchiveEntry entry, InputStream content) throws IOException {
        String path = Layer.normalize(entry.getName());
        if (path.isEmpty()) {
            return;
        }
        int mode = entry.getMode() & 07777;
        if (entry.isDirectory()) {
            layer.addDirectory(path, mode, (int) entry.getLongUserId(), (int) entry.getLongGroupId());
        }
        else if (entry.isSymbolicLink()) {
            layer.addSymlink(path, entry.getLinkName());
        }
        else if (entry.isLink()) {
            layer.addHardLink(path, entry.getLinkName());
        }
        else if (entry.isFile()) {
            layer.addFile(path, mode, (int) entry.getLongUserId(), (int) entry.getLongGroupId(),
                    Layer.Content.of(content.readAllBytes()));
        }
        else {
            throw new ImageBuildException("Unsupported entry %s in a Debian package".formatted(entry.getName()));
        }
    }

    private static InputStream decompress(String memberName, InputStream input, Path deb) throws IOException {
        if (memberName.endsWith(".xz")) {
            return new XZCompressorInputStream(input);
        }
        if (memberName.endsWith(".gz")) {
            return new GzipCompressorInputStream(input);
        }
        if (memberName.endsWith(".tar")) {
            return input;
        }
        throw new ImageBuildException("Debian package %s: member %s uses a compression this assembler does not read"
                .formatted(deb, memberName));
    }
}
