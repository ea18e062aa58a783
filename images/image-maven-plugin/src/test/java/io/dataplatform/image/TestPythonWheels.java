package io.dataplatform.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Python lock, the wheel cache and the pip-less installer. */
class TestPythonWheels {
    private static final WheelInstaller.Scheme SCHEME = new WheelInstaller.Scheme("/usr/local",
            "/usr/local/lib/python3.13/dist-packages", "/usr/local/bin", "/usr/bin/python3.13");

    @TempDir
    Path directory;

    @Test
    void theLockReadsBackSortedByNormalisedName() throws Exception {
        PythonLock lock = new PythonLock(List.of(
                new PythonLock.Wheel("PyYAML", "6.0.2", "a".repeat(64), "https://files.example/PyYAML-6.0.2-cp313-cp313-manylinux_2_17_x86_64.whl"),
                new PythonLock.Wheel("apache-airflow", "3.3.2", "b".repeat(64), "https://files.example/apache_airflow-3.3.2-py3-none-any.whl"),
                new PythonLock.Wheel("Jinja2", "3.1.6", "c".repeat(64), "https://files.example/jinja2-3.1.6-py3-none-any.whl")));
        Path file = directory.resolve("python.lock");
        Files.writeString(file, lock.text(List.of("header")));
        assertThat(Files.readAllLines(file)).containsExactly("# header",
                "apache-airflow==3.3.2 sha256:%s https://files.example/apache_airflow-3.3.2-py3-none-any.whl".formatted("b".repeat(64)),
                "Jinja2==3.1.6 sha256:%s https://files.example/jinja2-3.1.6-py3-none-any.whl".formatted("c".repeat(64)),
                "PyYAML==6.0.2 sha256:%s https://files.example/PyYAML-6.0.2-cp313-cp313-manylinux_2_17_x86_64.whl".formatted("a".repeat(64)));
        assertThat(PythonLock.read(file).wheels()).extracting(PythonLock.Wheel::toString)
                .containsExactly("apache-airflow==3.3.2", "Jinja2==3.1.6", "PyYAML==6.0.2");
    }

    @Test
    void aLockThatDoesNotPinTheTagsVersionIsStale() {
        PythonLock lock = new PythonLock(List.of(new PythonLock.Wheel("apache-airflow", "3.3.2", "b".repeat(64),
                "https://files.example/apache_airflow-3.3.2-py3-none-any.whl")));
        lock.requireVersion("Apache_Airflow", "3.3.2", "python.lock");
        assertThatThrownBy(() -> lock.requireVersion("apache-airflow", "3.3.3", "python.lock"))
                .hasMessage("python.lock pins apache-airflow==3.3.2, but the pom says 3.3.3: the lock is stale; run "
                        + "images/refresh-python-locks and commit it");
        assertThatThrownBy(() -> lock.requireVersion("apache-superset", "5.0.0", "python.lock"))
                .hasMessageContaining("python.lock pins no apache-superset");
    }

    @Test
    void aMalformedOrDuplicateLineIsNamedWithItsLine() throws Exception {
        Path file = directory.resolve("python.lock");
        Files.writeString(file, "# wheels\napache-airflow==3.3.2 sha256:%s https://x/a-3.3.2-py3-none-any.whl\npyyaml 6.0\n"
                .formatted("b".repeat(64)));
        assertThatThrownBy(() -> PythonLock.read(file))
                .hasMessageStartingWith("python.lock:3: expected '<name>==<version> sha256:<64 hex digits> ")
                .hasMessageContaining("found 'pyyaml 6.0'");
        Files.writeString(file, "Jinja2==3.1.6 sha256:%1$s https://x/j-1.whl\njinja2==3.1.5 sha256:%1$s https://x/j-2.whl\n"
                .formatted("c".repeat(64)));
        assertThatThrownBy(() -> PythonLock.read(file))
                .hasMessage("python.lock:2: jinja2==3.1.5 is pinned twice (also as Jinja2==3.1.6)");
        Files.writeString(file, "# nothing\n");
        assertThatThrownBy(() -> PythonLock.read(file)).hasMessageContaining("pins no wheel: run images/refresh-python-locks");
    }

    @Test
    void aTamperedWheelFailsNamingItAndNothingIsCached() throws Exception {
        Path wheel = wheel("tool", "1.0", Map.of("tool/__init__.py", "VALUE = 1\n"), null);
        String pinned = Digests.sha256(Files.readAllBytes(wheel));
        Files.write(wheel, "not the wheel the lock reviewed".getBytes(StandardCharsets.UTF_8));
        Path cache = directory.resolve("cache");
        PythonLock.Wheel pin = new PythonLock.Wheel("tool", "1.0", pinned, wheel.toUri().toString());
        assertThatThrownBy(() -> new PackageCache(cache).fetch(pin))
                .hasMessageStartingWith("Python wheel tool==1.0 (tool-1.0-py3-none-any.whl) failed verification: "
                        + "the lock pins SHA-256 " + pinned);
        try (var files = Files.list(cache)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void aWheelIsInstalledIntoItsSchemesWithItsEntryPoints() throws Exception {
        Path wheel = wheel("tool", "1.0", Map.of(
                "tool/__init__.py", "VALUE = 1\n",
                "tool/cli.py", "def main():\n    return 0\n",
                "tool-1.0.data/scripts/tool-legacy", "#!python\nprint('legacy')\n",
                "tool-1.0.data/data/share/tool/config.toml", "x = 1\n",
                "tool-1.0.data/platlib/_tool_native.so", "ELF"),
                "[console_scripts]\ntool = tool.cli:main\ntool-sub = tool.cli:App.run [extra]\n\n[other]\nignored = x:y\n");
        Path root = directory.resolve("root");
        PythonLock.Wheel pin = new PythonLock.Wheel("tool", "1.0", Digests.sha256(Files.readAllBytes(wheel)),
                wheel.toUri().toString());
        List<String> scripts = new WheelInstaller(SCHEME, root).install(pin, wheel);

        assertThat(scripts).containsExactly("tool", "tool-sub");
        Path site = root.resolve("usr/local/lib/python3.13/dist-packages");
        assertThat(site.resolve("tool/cli.py")).hasContent("def main():\n    return 0");
        assertThat(site.resolve("_tool_native.so")).exists();
        assertThat(site.resolve("tool-1.0.dist-info/INSTALLER")).hasContent("image-maven-plugin");
        assertThat(root.resolve("usr/local/share/tool/config.toml")).exists();
        assertThat(root.resolve("usr/local/bin/tool-legacy")).hasContent("#!/usr/bin/python3.13\nprint('legacy')");
        String tool = Files.readString(root.resolve("usr/local/bin/tool"));
        assertThat(tool).startsWith("#!/usr/bin/python3.13\n").contains("from tool.cli import main\n")
                .contains("sys.exit(main())");
        assertThat(Files.readString(root.resolve("usr/local/bin/tool-sub"))).contains("from tool.cli import App\n")
                .contains("sys.exit(App.run())");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("usr/local/bin/tool"))))
                .isEqualTo("rwxr-xr-x");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(site.resolve("tool/cli.py"))))
                .isEqualTo("rw-r--r--");
    }

    @Test
    void aWheelWithAnEntryOutsideItsTreeIsRefused() throws Exception {
        Path wheel = wheel("evil", "1.0", Map.of("../../etc/passwd", "root::0:0::/:/bin/sh\n"), null);
        PythonLock.Wheel pin = new PythonLock.Wheel("evil", "1.0", "d".repeat(64), wheel.toUri().toString());
        assertThatThrownBy(() -> new WheelInstaller(SCHEME, directory.resolve("root")).install(pin, wheel))
                .hasMessage("evil==1.0 (evil-1.0-py3-none-any.whl) has an entry outside its tree: '../../etc/passwd'");
        assertThat(directory.resolve("etc")).doesNotExist();
    }

    @Test
    void aBuiltWheelIsTheSameFileTwiceAndInstallsWithItsEntryPoints() throws Exception {
        Path sources = directory.resolve("src");
        Files.createDirectories(sources.resolve("provider/hooks/__pycache__"));
        Files.writeString(sources.resolve("provider/__init__.py"), "");
        Files.writeString(sources.resolve("provider/provider.yaml"), "package-name: x\n");
        Files.writeString(sources.resolve("provider/hooks/__init__.py"), "");
        Files.writeString(sources.resolve("provider/hooks/run.py"), "def info():\n    return {}\n");
        Files.writeString(sources.resolve("provider/hooks/__pycache__/run.cpython-313.pyc"), "byte code");
        WheelBuilder.Metadata metadata = new WheelBuilder.Metadata("Our\n provider", ">=3.11",
                List.of("apache-airflow>=3.0"));
        String entryPoints = "[apache_airflow_provider]\nprovider_info = provider.hooks.run:info\n";
        String version = WheelBuilder.pythonVersion("0.1.0-SNAPSHOT");

        Path first = WheelBuilder.build("our-provider", version, metadata, sources, entryPoints, directory.resolve("a"));
        Files.setLastModifiedTime(sources.resolve("provider/hooks/run.py"), java.nio.file.attribute.FileTime.fromMillis(0));
        Path second = WheelBuilder.build("our-provider", version, metadata, sources, entryPoints, directory.resolve("b"));

        assertThat(first.getFileName()).hasToString("our_provider-0.1.0.dev0-py3-none-any.whl");
        assertThat(Digests.sha256(first)).isEqualTo(Digests.sha256(second));
        Path root = directory.resolve("root");
        PythonLock.Wheel pin = new PythonLock.Wheel("our-provider", version, Digests.sha256(first), first.toUri().toString());
        new WheelInstaller(SCHEME, root).install(pin, first);
        Path site = root.resolve("usr/local/lib/python3.13/dist-packages");
        assertThat(site.resolve("provider/provider.yaml")).hasContent("package-name: x");
        assertThat(site.resolve("provider/hooks/__pycache__")).doesNotExist();
        Path distInfo = site.resolve("our_provider-0.1.0.dev0.dist-info");
        assertThat(distInfo.resolve("entry_points.txt")).hasContent(entryPoints.strip());
        assertThat(Files.readString(distInfo.resolve("METADATA"))).contains("Name: our-provider\n",
                "Version: 0.1.0.dev0\n", "Summary: Our provider\n", "Requires-Dist: apache-airflow>=3.0\n");
        // RECORD holds every file with its digest, and itself without one.
        List<String> record = Files.readAllLines(distInfo.resolve("RECORD"));
        assertThat(record).contains("our_provider-0.1.0.dev0.dist-info/RECORD,,")
                .anyMatch(line -> line.matches("provider/hooks/run\\.py,sha256=[A-Za-z0-9_-]{43},26"));
        assertThat(record).hasSize(8);
    }

    @Test
    void aWheelIsBuiltOnlyFromPackagesAndPep440Versions() throws Exception {
        Path sources = directory.resolve("src");
        Files.createDirectories(sources.resolve("notes"));
        Files.writeString(sources.resolve("notes/readme.txt"), "x");
        WheelBuilder.Metadata metadata = new WheelBuilder.Metadata("", ">=3.11", List.of());
        assertThatThrownBy(() -> WheelBuilder.build("x", "1.0", metadata, sources, null, directory.resolve("out")))
                .hasMessageContaining("notes is not a Python package (no __init__.py)");
        assertThat(directory.resolve("out")).doesNotExist();
        assertThatThrownBy(() -> WheelBuilder.pythonVersion("1.0-beta"))
                .hasMessage("Version '1.0-beta' has no PEP 435 form (expected e.g. 1.2.3 or 1.2.3-SNAPSHOT)".replace("435", "440"));
    }

    /** A wheel of {@code files} plus its dist-info (WHEEL, METADATA and, if given, entry_points.txt). */
    private Path wheel(String name, String version, Map<String, String> files, String entryPoints) throws IOException {
        Path wheel = directory.resolve("%s-%s-py3-none-any.whl".formatted(name, version));
        String distInfo = name + "-" + version + ".dist-info/";
        try (OutputStream file = Files.newOutputStream(wheel);
                ZipArchiveOutputStream zip = new ZipArchiveOutputStream(file)) {
            for (Map.Entry<String, String> entry : new java.util.TreeMap<>(files).entrySet()) {
                add(zip, entry.getKey(), entry.getValue());
            }
            add(zip, distInfo + "WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
            add(zip, distInfo + "METADATA", "Metadata-Version: 2.1\nName: %s\nVersion: %s\n".formatted(name, version));
            if (entryPoints != null) {
                add(zip, distInfo + "entry_points.txt", entryPoints);
            }
        }
        return wheel;
    }

    private static void add(ZipArchiveOutputStream zip, String name, String content) throws IOException {
        ZipArchiveEntry entry = new ZipArchiveEntry(name);
        zip.putArchiveEntry(entry);
        zip.write(content.getBytes(StandardCharsets.UTF_8));
        zip.closeArchiveEntry();
    }
}
