package io.dataplatform.image;

/** A build input is wrong (a lock, a checksum, a JDK, a configuration); the message says what and where. */
public class ImageBuildException extends RuntimeException {
    public ImageBuildException(String message) {
        super(message);
    }

    public ImageBuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
