package io.dataplatform.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The commit a build comes from, read from {@code .git} directly so that no git binary is needed. */
final class GitRevision {
    static final String UNKNOWN = "unknown";

    private GitRevision() {}

    static String of(Path directory) {
        for (Path current = directory.toAbsolutePath(); current != null; current = current.getParent()) {
            Path git = current.resolve(".git");
            try {
                if (Files.isRegularFile(git)) {
                    String pointer = Files.readString(git, StandardCharsets.UTF_8).strip();
                    if (pointer.startsWith("gitdir:")) {
                        git = current.resolve(pointer.substring("gitdir:".length()).strip());
                    }
                }
                if (Files.isDirectory(git)) {
                    return headCommit(git);
                }
            }
            catch (IOException e) {
                return UNKNOWN;
            }
        }
        return UNKNOWN;
    }

    private static String headCommit(Path git) throws IOException {
        String head = Files.readString(git.resolve("HEAD"), StandardCharsets.UTF_8).strip();
        if (!head.startsWith("ref:")) {
            return head;
        }
        String reference = head.substring("ref:".length()).strip();
        Path common = git;
        Path commonDirectory = git.resolve("commondir");
        if (Files.exists(commonDirectory)) {
            common = git.resolve(Files.readString(commonDirectory, StandardCharsets.UTF_8).strip());
        }
        Path loose = common.resolve(reference);
        if (Files.exists(loose)) {
            return Files.readString(loose, StandardCharsets.UTF_8).strip();
        }
        Path packed = common.resolve("packed-refs");
        if (Files.exists(packed)) {
            for (String line : Files.readAllLines(packed, StandardCharsets.UTF_8)) {
                if (line.endsWith(" " + reference)) {
                    return line.substring(0, line.indexOf(' '));
                }
            }
        }
        return UNKNOWN;
    }
}
