package io.dataplatform.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Compiles the probe program ({@code src/test/resources/probe/ImageProbe.java}) for Java 17, so that the same class
 * runs in every runtime image. It is compiled here rather than by Maven because the test code targets Java 25.
 */
final class ImageProbe {
    static final String CLASS_NAME = "ImageProbe";
    static final String CONTAINER_DIRECTORY = "/opt/probe";

    private static Path compiled;

    private ImageProbe() {}

    static synchronized Path classes() {
        if (compiled != null) {
            return compiled;
        }
        try {
            Path source = Files.createTempDirectory("image-probe-source").resolve(CLASS_NAME + ".java");
            try (InputStream input = ImageProbe.class.getResourceAsStream("/probe/" + CLASS_NAME + ".java")) {
                if (input == null) {
                    throw new IllegalStateException("probe/ImageProbe.java is not on the test class path");
                }
                Files.copy(input, source);
            }
            Path output = Files.createTempDirectory("image-probe-classes");
            JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
            int exit = compiler.run(null, System.out, System.err,
                    List.of("--release", "17", "-d", output.toString(), source.toString()).toArray(String[]::new));
            if (exit != 0) {
                throw new IllegalStateException("Cannot compile the image probe (javac exit " + exit + ")");
            }
            compiled = output;
            return output;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
