package io.dataplatform.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.util.Arrays;

/**
 * Writes a {@link Layer} as an uncompressed POSIX tar that is identical byte for byte whenever the layer is: ustar
 * headers, PAX records only for names that do not fit, modification time 0, no user or group names, owners and
 * modes as recorded in the layer.
 *
 * <p>Written here rather than with commons-compress so that every header byte, including the PAX headers', is
 * under our control; a tar library's defaults (current time, user names) are how builds stop being reproducible.
 */
public final class LayerTarWriter {
    private static final int BLOCK = 512;

    private LayerTarWriter() {}

    /** Writes the layer to {@code tarFile} and returns the digest of the uncompressed tar (the layer's diff id). */
    public static Blob write(Layer layer, Path tarFile) throws IOException {
        Files.createDirectories(tarFile.toAbsolutePath().getParent());
        try (DigestOutputStream output = Digests.sha256Stream(Files.newOutputStream(tarFile))) {
            CountingOutputStream counting = new CountingOutputStream(output);
            for (Layer.Entry entry : layer.entries()) {
                writeEntry(counting, entry);
            }
            counting.write(new byte[BLOCK * 2]);
            counting.flush();
            return new Blob(Digests.hex(output.getMessageDigest()), counting.count());
        }
    }

    private static void writeEntry(OutputStream output, Layer.Entry entry) throws IOException {
        String name = entry.type() == Layer.Type.DIRECTORY ? entry.path() + "/" : entry.path();
        String linkName = entry.linkTarget() == null ? "" : entry.linkTarget();
        long size = entry.type() == Layer.Type.FILE ? entry.content().size() : 0;

        StringBuilder pax = new StringBuilder();
        String[] split = splitUstarName(name);
        if (split == null) {
            pax.append(paxRecord("path", name));
            split = new String[] {"", truncate(name, 100)};
        }
        if (utf8Length(linkName) > 100) {
            pax.append(paxRecord("linkpath", linkName));
            linkName = truncate(linkName, 100);
        }
        if (!pax.isEmpty()) {
            byte[] records = pax.toString().getBytes(StandardCharsets.UTF_8);
            String paxName = truncate("PaxHeaders/" + split[1], 100);
            output.write(header(new String[] {"", paxName}, 0644, 0, 0, records.length, (byte) 'x', ""));
            output.write(records);
            pad(output, records.length);
        }

        byte type = switch (entry.type()) {
            case FILE -> (byte) '0';
            case HARD_LINK -> (byte) '1';
            case SYMLINK -> (byte) '2';
            case DIRECTORY -> (byte) '5';
        };
        output.write(header(split, entry.mode(), entry.uid(), entry.gid(), size, type, linkName));
        if (entry.type() == Layer.Type.FILE) {
            long copied;
            try (InputStream input = entry.content().open()) {
                copied = input.transferTo(output);
            }
            if (copied != size) {
                throw new ImageBuildException("%s changed while it was being written (%d bytes, expected %d)"
                        .formatted(entry.path(), copied, size));
            }
            pad(output, size);
        }
    }

    private static byte[] header(String[] prefixAndName, int mode, int uid, int gid, long size, byte type,
            String linkName) {
        byte[] header = new byte[BLOCK];
        put(header, 0, 100, prefixAndName[1]);
        octal(header, 100, 8, mode & 07777);
        octal(header, 108, 8, uid);
        octal(header, 116, 8, gid);
        octal(header, 124, 12, size);
        octal(header, 136, 12, 0);
        Arrays.fill(header, 148, 156, (byte) ' ');
        header[156] = type;
        put(header, 157, 100, linkName);
        put(header, 257, 6, "ustar");
        put(header, 263, 2, "00");
        octal(header, 329, 8, 0);
        octal(header, 337, 8, 0);
        put(header, 345, 155, prefixAndName[0]);
        long checksum = 0;
        for (byte b : header) {
            checksum += b & 0xff;
        }
        String digits = String.format("%06o", checksum);
        put(header, 148, 6, digits);
        header[154] = 0;
        header[155] = ' ';
        return header;
    }

    /** Splits a name into ustar's prefix (155 bytes) and name (100 bytes), or returns null when it cannot. */
    private static String[] splitUstarName(String name) {
        if (utf8Length(name) <= 100 && isAscii(name)) {
            return new String[] {"", name};
        }
        if (!isAscii(name)) {
            return null;
        }
        for (int slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', slash + 1)) {
            String prefix = name.substring(0, slash);
            String rest = name.substring(slash + 1);
            if (prefix.length() <= 155 && rest.length() <= 100 && !rest.isEmpty()) {
                return new String[] {prefix, rest};
            }
        }
        return null;
    }

    private static String paxRecord(String key, String value) {
        String body = " " + key + "=" + value + "\n";
        int bodyLength = utf8Length(body);
        int length = bodyLength + String.valueOf(bodyLength).length();
        if (String.valueOf(length).length() != String.valueOf(bodyLength).length()) {
            length = bodyLength + String.valueOf(length).length();
        }
        return length + body;
    }

    private static void put(byte[] header, int offset, int length, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(bytes, 0, header, offset, Math.min(bytes.length, length));
    }

    private static void octal(byte[] header, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        if (digits.length() > length - 1) {
            throw new ImageBuildException("Value %d does not fit a tar header field".formatted(value));
        }
        put(header, offset, length - 1, "0".repeat(length - 1 - digits.length()) + digits);
    }

    private static void pad(OutputStream output, long size) throws IOException {
        int remainder = (int) (size % BLOCK);
        if (remainder != 0) {
            output.write(new byte[BLOCK - remainder]);
        }
    }

    private static String truncate(String value, int bytes) {
        String truncated = value;
        while (utf8Length(truncated) > bytes) {
            truncated = truncated.substring(1);
        }
        return truncated;
    }

    private static int utf8Length(String value) {
        return value.getBytes(StandardCharsets.UTF_8).length;
    }

    private static boolean isAscii(String value) {
        return value.chars().allMatch(c -> c < 0x80);
    }

    /** A written blob: its SHA-256 (hex, without the algorithm prefix) and its size in bytes. */
    public record Blob(String sha256, long size) {
        public String digest() {
            return "sha256:" + sha256;
        }
    }

    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        private long count;

        CountingOutputStream(OutputStream output) {
            super(output);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            count += length;
        }

        long count() {
            return count;
        }
    }
}
