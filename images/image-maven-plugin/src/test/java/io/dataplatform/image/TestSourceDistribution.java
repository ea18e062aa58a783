package io.dataplatform.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A pure-Python source distribution becomes a wheel; anything to compile is refused. */
class TestSourceDistribution {
    private static final String PKG_INFO = """
            Metadata-Version: 2.1
            Name: pyspark-client
            Version: 4.1.1
            Summary: Python Spark Connect client for Apache Spark
            Requires-Python: >=3.10
            Requires-Dist: pandas>=2.2.0
            Requires-Dist: pyarrow>=15.0.0; python_version >= "3.10"

            Requires-Dist: not-a-header: this is the description
            """;

    @TempDir
    Path directory;

    @Test
    void itsPackagesAndItsPkgInfoMakeTheWheelTheSameEveryTime() throws Exception {
        Path archive = sdist("pyspark_client-4.1.1", Map.of(
                "PKG-INFO", PKG_INFO,
                "setup.py", "from setuptools import setup\n",
                "pyspark_client.egg-info/PKG-INFO", PKG_INFO,
                "pyspark/__init__.py", "__version__ = '4.1.1'\n",
                "pyspark/sql/__init__.py", "",
                "pyspark/errors/error-conditions.json", "{}\n",
                // what a setup.py maps in from elsewhere (pyspark's jars) is not a package of the wheel
                "deps/jars/spark-core_2.13-4.1.1.jar", "PK",
                "deps/bin/spark-submit", "#!/bin/bash\n"));
        PythonLock.Wheel pin = new PythonLock.Wheel("pyspark-client", "4.1.1", "a".repeat(64),
                "https://files.example/pyspark_client-4.1.1.tar.gz");

        Path wheel = SourceDistribution.wheel(pin, archive, directory.resolve("one"));
        Map<String, String> files = entries(wheel);
        assertThat(files.keySet()).containsExactly("pyspark/__init__.py", "pyspark/errors/error-conditions.json",
                "pyspark/sql/__init__.py", "pyspark_client-4.1.1.dist-info/METADATA",
                "pyspark_client-4.1.1.dist-info/RECORD", "pyspark_client-4.1.1.dist-info/WHEEL");
        assertThat(files.get("pyspark_client-4.1.1.dist-info/METADATA")).contains("Name: pyspark-client\n",
                "Version: 4.1.1\n", "Requires-Python: >=3.10\n", "Requires-Dist: pandas>=2.2.0\n",
                "Requires-Dist: pyarrow>=15.0.0; python_version >= \"3.10\"\n").doesNotContain("not-a-header");
        assertThat(Digests.sha256(SourceDistribution.wheel(pin, archive, directory.resolve("two"))))
                .isEqualTo(Digests.sha256(wheel));

        // and it installs like any wheel
        Path root = directory.resolve("root");
        new WheelInstaller(new WheelInstaller.Scheme("/usr/local", "/usr/local/lib/python3.13/dist-packages",
                "/usr/local/bin", "/usr/bin/python3.13"), root).install(pin, wheel);
        assertThat(root.resolve("usr/local/lib/python3.13/dist-packages/pyspark/sql/__init__.py")).exists();
    }

    @Test
    void anArchiveOfAnotherPackageOrWithCodeToCompileIsRefused() throws Exception {
        Path archive = sdist("pyspark_client-4.1.1", Map.of("PKG-INFO", PKG_INFO, "pyspark/__init__.py", "",
                "pyspark/_speedups.c", "int x;\n"));
        assertThatThrownBy(() -> SourceDistribution.wheel(new PythonLock.Wheel("pyspark-client", "4.1.0",
                "a".repeat(64), "https://x/pyspark_client-4.1.0.tar.gz"), archive, directory.resolve("out")))
                .hasMessage("pyspark_client-4.1.1.tar.gz is pyspark-client==4.1.1, but the lock pins pyspark-client==4.1.0");
        assertThatThrownBy(() -> SourceDistribution.wheel(new PythonLock.Wheel("pyspark-client", "4.1.1",
                "a".repeat(64), "https://x/pyspark_client-4.1.1.tar.gz"), archive, directory.resolve("out")))
                .hasMessage("pyspark_client-4.1.1.tar.gz is not pure Python (pyspark/_speedups.c would need "
                        + "compiling): pin a wheel of pyspark-client instead");
    }

    @Test
    void theLockPinsASourceDistributionByItsArchive() throws Exception {
        Path file = directory.resolve("python.lock");
        Files.writeString(file, "pyspark-client==4.1.1 sha256:%s https://files.example/pyspark_client-4.1.1.tar.gz\n"
                .formatted("b".repeat(64)));
        assertThat(PythonLock.read(file).wheels()).extracting(PythonLock.Wheel::fileName)
                .containsExactly("pyspark_client-4.1.1.tar.gz");
    }

    private Path sdist(String top, Map<String, String> files) throws IOException {
        Path archive = directory.resolve(top + ".tar.gz");
        try (OutputStream out = Files.newOutputStream(archive);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
            for (Map.Entry<String, String> file : new TreeMap<>(files).entrySet()) {
                byte[] content = file.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry entry = new TarArchiveEntry(top + "/" + file.getKey());
                entry.setSize(content.length);
                tar.putArchiveEntry(entry);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        return archive;
    }

    private static Map<String, String> entries(Path wheel) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (ZipFile zip = ZipFile.builder().setPath(wheel).get()) {
            for (ZipArchiveEntry entry : Collections.list(zip.getEntries())) {
                entries.put(entry.getName(), new String(zip.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return entries;
    }

    @Test
    void theRequirementsOfAWantedExtraJoinTheOthersWithoutTheirMarker() {
        assertThat(SourceDistribution.requirements(List.of("py4j<0.10.9.10,>=0.10.9.7", "numpy>=1.21; extra == \"ml\"",
                "grpcio>=1.76.0; extra == \"connect\"", "pandas>=2.2.0; extra == \"connect\"",
                "pandas>=2.2.0; extra == \"sql\"", "tomli; python_version < \"3.11\""), java.util.Set.of("connect")))
                .containsExactly("py4j<0.10.9.10,>=0.10.9.7", "grpcio>=1.76.0", "pandas>=2.2.0",
                        "tomli; python_version < \"3.11\"");
    }
}
