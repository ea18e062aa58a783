package io.dataplatform.it;

import java.util.Map;
import java.util.stream.Stream;

import com.github.dockerjava.api.command.InspectImageResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The Java runtime images, run for real: who they run as, which Java, trust, time zones, UTF-8. */
class JavaRuntimeImagesIT {
    static Stream<Arguments> runtimes() {
        return Stream.of(
                Arguments.of("jre-25", System.getProperty("jdk25.version"), "/usr/lib/jvm/java-25"),
                Arguments.of("jre-17", System.getProperty("jdk17.version"), "/usr/lib/jvm/java-17"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void runsTheDeclaredJavaAsTheNonRootPlatformUser(String module, String javaVersion, String javaHome) {
        Map<String, String> results = probe(module, null, "identity", "java");

        assertThat(results)
                .containsEntry("uid", "1000")
                .containsEntry("gid", "1000")
                .containsEntry("user.name", "platform")
                .containsEntry("user.home", "/home/platform")
                .containsEntry("home.writable", "true")
                .containsEntry("root.writable", "false")
                .containsEntry("java.version", javaVersion)
                .containsEntry("java.home", javaHome)
                .containsEntry("env.JAVA_HOME", javaHome);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void resolvesARealCertificateChainThroughTheCaBundleAndTheJavaTrustStore(String module, String javaVersion,
            String javaHome) {
        Map<String, String> results = probe(module, null, "tls");

        assertThat(Integer.parseInt(results.get("tls.os.bundle.certificates"))).isGreaterThan(100);
        assertThat(Integer.parseInt(results.get("tls.jre.truststore.certificates"))).isGreaterThan(80);
        assertThat(results)
                .containsEntry("tls.os.chain", "valid")
                .containsEntry("tls.jre.chain", "valid");
        assertThat(results.get("tls.without.root.chain")).startsWith("invalid");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void defaultsToUtcAndHonoursTz(String module, String javaVersion, String javaHome) {
        assertThat(probe(module, null, "timezone"))
                .containsEntry("tz.default.offset", "Z")
                .containsEntry("tz.zoneinfo.file", "true")
                .containsEntry("tz.localtime", "/usr/share/zoneinfo/Etc/UTC");

        assertThat(probe(module, "Asia/Kolkata", "timezone"))
                .containsEntry("tz.default", "Asia/Kolkata")
                .containsEntry("tz.default.offset", "+05:30")
                .containsEntry("tz.zoneinfo.file", "true");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void runsInAUtf8Locale(String module, String javaVersion, String javaHome) {
        assertThat(probe(module, null, "locale"))
                .containsEntry("locale.lang", "C.UTF-8")
                .containsEntry("locale.sun.jnu.encoding", "UTF-8")
                .containsEntry("locale.default.charset", "UTF-8")
                .containsEntry("locale.unicode.filename.roundtrip", "true");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimes")
    void carriesTheOciLabelsAndRuntimeConventions(String module, String javaVersion, String javaHome) {
        PlatformImage image = PlatformImage.of(module);
        InspectImageResponse inspect = image.inspect();

        assertThat(image.reference()).endsWith("/" + module + ":" + javaVersion + "-" + System.getProperty(
                "platform.revision"));
        assertThat(inspect.getConfig().getUser()).isEqualTo("1000:1000");
        assertThat(inspect.getConfig().getWorkingDir()).isEqualTo("/home/platform");
        assertThat(inspect.getConfig().getEnv()).contains("JAVA_HOME=" + javaHome, "LANG=C.UTF-8");
        assertThat(inspect.getConfig().getLabels())
                .containsEntry("org.opencontainers.image.version", javaVersion + "-" + System.getProperty(
                        "platform.revision"))
                .containsEntry("org.opencontainers.image.created", "1970-01-01T00:00:00Z")
                .containsKeys("org.opencontainers.image.title", "org.opencontainers.image.source")
                // The commit is provenance beside the image (image.json), never a label: it would move the digest.
                .doesNotContainKey("org.opencontainers.image.revision");
    }

    private static Map<String, String> probe(String module, String timezone, String... checks) {
        try (JreContainer container = new JreContainer(PlatformImage.of(module)).withChecks(checks)) {
            if (timezone != null) {
                container.withEnv("TZ", timezone);
            }
            container.start();
            return container.results();
        }
    }
}
