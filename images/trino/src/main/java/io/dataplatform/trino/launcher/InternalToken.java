package io.dataplatform.trino.launcher;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The token a Trino node signs its internal requests with ({@code X-Trino-Internal-Bearer}): a JWT, HS256, keyed by
 * the SHA-256 of the nodes' shared secret, short-lived. The health check uses it to read the node list.
 */
final class InternalToken {
    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

    private InternalToken() {}

    static String of(String sharedSecret) {
        return of(sharedSecret, "platform-healthcheck", Instant.now().plusSeconds(60));
    }

    static String of(String sharedSecret, String subject, Instant expiry) {
        String header = BASE64.encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8));
        String claims = BASE64.encodeToString("{\"sub\":\"%s\",\"exp\":%d}".formatted(subject, expiry.getEpochSecond())
                .getBytes(StandardCharsets.UTF_8));
        String signed = header + "." + claims;
        try {
            byte[] key = MessageDigest.getInstance("SHA-256").digest(sharedSecret.getBytes(StandardCharsets.UTF_8));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return signed + "." + BASE64.encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("HS256 is part of every JDK", e);
        }
    }
}
