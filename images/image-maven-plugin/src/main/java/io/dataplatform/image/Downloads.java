package io.dataplatform.image;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/** HTTP(S) and file downloads with retries; callers verify what they fetched. */
final class Downloads {
    private static final int ATTEMPTS = 3;
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(20))
            .build();

    private Downloads() {}

    /** Downloads {@code url} to {@code target}, replacing it atomically; fails with the HTTP status when absent. */
    static void download(String url, Path target) throws IOException {
        Path temporary = Files.createTempFile(target.toAbsolutePath().getParent(), ".download-", ".part");
        try {
            IOException lastFailure = null;
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                try (InputStream input = open(url)) {
                    Files.copy(input, temporary, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    return;
                }
                catch (NotFoundException e) {
                    throw e;
                }
                catch (IOException e) {
                    lastFailure = e;
                }
            }
            throw lastFailure;
        }
        finally {
            Files.deleteIfExists(temporary);
        }
    }

    static InputStream open(String url) throws IOException {
        URI uri = URI.create(url);
        if ("file".equals(uri.getScheme())) {
            Path file = Path.of(uri);
            if (!Files.exists(file)) {
                throw new NotFoundException(url + ": no such file");
            }
            return Files.newInputStream(file);
        }
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while downloading " + url, e);
        }
        if (response.statusCode() == 404 || response.statusCode() == 410) {
            response.body().close();
            throw new NotFoundException(url + ": HTTP " + response.statusCode());
        }
        if (response.statusCode() != 200) {
            response.body().close();
            throw new IOException(url + ": HTTP " + response.statusCode());
        }
        return response.body();
    }

    static final class NotFoundException extends IOException {
        NotFoundException(String message) {
            super(message);
        }
    }
}
