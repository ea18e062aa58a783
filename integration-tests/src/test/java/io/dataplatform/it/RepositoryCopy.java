package io.dataplatform.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/**
 * A copy of this repository's tracked files (what a clone holds), for tests that run the build itself — offline,
 * on the dependencies the outer build resolved — without touching the working tree's build output.
 */
final class RepositoryCopy {
    private RepositoryCopy() {}

    record Run(int status, String output) {}

    static Path repository() {
        return Path.of(System.getProperty("platform.root", "..")).toAbsolutePath().normalize();
    }

    static Path of(Path repository, Path copy) throws IOException, InterruptedException {
        Run files = run(repository, "git", "ls-files", "-z");
        if (files.status() != 0) {
            throw new IllegalStateException("git ls-files failed: " + files.output());
        }
        for (String file : files.output().split("\0")) {
            Path source = repository.resolve(file);
            if (file.isEmpty() || !Files.exists(source)) {
                continue;
            }
            Path target = copy.resolve(file);
            Files.createDirectories(target.getParent());
            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
        return copy;
    }

    /** The argocd directory of this repository's tree (tracked files), copied to {@code target}. */
    static Path argocdTree(Path target) throws IOException, InterruptedException {
        Path root = repository();
        Run files = run(root, "git", "ls-files", "-z", "argocd");
        for (String file : files.output().split("\0")) {
            if (file.isEmpty() || file.startsWith("argocd/validator/") || file.startsWith("argocd/src/")) {
                continue;
            }
            Path destination = target.getParent().resolve(file);
            Files.createDirectories(destination.getParent());
            Files.copy(root.resolve(file), destination);
        }
        return target;
    }

    static Run run(Path directory, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    /**
     * Runs the copy's Maven wrapper offline, in batch mode, on the outer build's local repository — named
     * explicitly, so a nested build finds what the outer one resolved even when the outer build was given another
     * repository than ~/.m2 (a fresh machine, {@code -Dmaven.repo.local=...}). A nested build may only use phases
     * and plugins the outer {@code verify} resolved: never {@code install} or {@code deploy}.
     */
    static Run maven(Path copy, String... arguments) throws IOException, InterruptedException {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("./mvnw", "-o", "-B"));
        String localRepository = System.getProperty("platform.maven.repository", "");
        if (!localRepository.isBlank()) {
            command.add("-Dmaven.repo.local=" + localRepository);
        }
        command.addAll(java.util.List.of(arguments));
        return run(copy, command.toArray(String[]::new));
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
