package io.dataplatform.image;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * With {@code -Dpython.lock.refresh=true} ({@code images/refresh-python-locks}), writes the module's
 * {@code python.lock} from pip's resolver: the requirements (versions from the root pom) resolved for the image's
 * interpreter — CPython {@code pythonVersion} on manylinux x86-64, wheels only — by the build machine's pip
 * ({@code pip install --dry-run --report}: nothing is installed), each wheel with the URL and SHA-256 the index
 * gives. Review the diff and commit it; the build verifies every wheel against it.
 *
 * <p>{@code sourceDistributions} are pure-Python packages PyPI has no wheel of ({@code name==version}): each is pinned
 * by its {@code .tar.gz} (URL and SHA-256 from the index's JSON API), and its {@code Requires-Dist} join the
 * requirements pip resolves. With {@code baseLock} (an image built from another image), pip resolves with the base
 * image's wheels as constraints and the lock holds only the wheels the base lacks.
 */
@Mojo(name = "refresh-python-lock", defaultPhase = LifecyclePhase.PREPARE_PACKAGE, threadSafe = true)
public class RefreshPythonLockMojo extends AbstractMojo {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.regex.Pattern EXTRAS = java.util.regex.Pattern.compile("\\[([^\\]]*)]");

    @Parameter(property = "python.lock.refresh", defaultValue = "false")
    private boolean refresh;

    @Parameter(defaultValue = "${project.basedir}/python.lock")
    private File pythonLock;

    /** Requirement specifiers, e.g. {@code apache-airflow[postgres]==3.3.2}. */
    @Parameter(required = true)
    private List<String> requirements;

    /**
     * Pure-Python packages pinned by their source distribution, with the extras whose requirements the image needs
     * ({@code <sdist>pyspark[connect]==4.1.1</sdist>}).
     */
    @Parameter
    private List<String> sourceDistributions = List.of();

    /** The lock of the image this one is built from: its pins constrain pip, and are not repeated here. */
    @Parameter
    private File baseLock;

    @Parameter(property = "python.index", defaultValue = "https://pypi.org/simple")
    private String index;

    /** The image interpreter's version, e.g. {@code 3.13}. */
    @Parameter(required = true)
    private String pythonVersion;

    /** The wheel platforms the image accepts, most specific first (its glibc is Debian's). */
    @Parameter
    private List<String> platforms = List.of("manylinux_2_41_x86_64", "manylinux_2_39_x86_64",
            "manylinux_2_34_x86_64", "manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64",
            "manylinux_2_12_x86_64", "manylinux2010_x86_64", "manylinux_2_5_x86_64", "manylinux1_x86_64");

    @Parameter(property = "python.executable", defaultValue = "python3")
    private String python;

    @Parameter(defaultValue = "${project.build.directory}")
    private File buildDirectory;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (!refresh) {
            return;
        }
        try {
            Path work = Files.createDirectories(buildDirectory.toPath().resolve("python-lock-refresh"));
            List<PythonLock.Wheel> sources = new ArrayList<>();
            List<String> resolved = new ArrayList<>(requirements);
            for (String requirement : sourceDistributions) {
                java.util.regex.Matcher extras = EXTRAS.matcher(requirement);
                java.util.Set<String> wanted = new java.util.TreeSet<>();
                if (extras.find()) {
                    for (String extra : extras.group(1).split(",")) {
                        wanted.add(extra.strip());
                    }
                    requirement = extras.replaceFirst("");
                }
                PythonLock.Wheel source = sourceDistribution(requirement, work);
                sources.add(source);
                resolved.addAll(SourceDistribution.requirements(SourceDistribution.info(work.resolve(
                        source.fileName())).requires(), wanted));
            }
            PythonLock base = baseLock == null ? null : PythonLock.read(baseLock.toPath());
            if (base != null) {
                Path constraints = work.resolve("constraints.txt");
                Files.write(constraints, base.wheels().stream().map(Object::toString).toList(), StandardCharsets.UTF_8);
                resolved.add("-c " + constraints);
            }
            Path requirementsFile = work.resolve("requirements.in");
            Files.write(requirementsFile, resolved, StandardCharsets.UTF_8);
            Path report = work.resolve("report.json");
            Files.deleteIfExists(report);
            String abi = "cp" + pythonVersion.replace(".", "");
            List<String> command = new ArrayList<>(List.of(python, "-m", "pip", "install", "--dry-run",
                    "--ignore-installed", "--quiet", "--disable-pip-version-check", "--only-binary=:all:",
                    "--target", work.resolve("not-installed").toString(), "--report", report.toString(),
                    "--python-version", pythonVersion, "--implementation", "cp",
                    "--abi", abi, "--abi", "abi3", "--abi", "none"));
            for (String platform : platforms) {
                command.addAll(List.of("--platform", platform));
            }
            command.addAll(List.of("--platform", "any", "-r", requirementsFile.toString()));
            Path log = work.resolve("pip.log");
            Process pip = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!pip.waitFor(20, TimeUnit.MINUTES) || pip.exitValue() != 0) {
                pip.destroyForcibly();
                throw new ImageBuildException("pip could not resolve %s for CPython %s (%s):%n%s".formatted(
                        String.join(" ", requirements), pythonVersion, String.join(" ", command),
                        Files.readString(log)));
            }
            List<PythonLock.Wheel> wheels = new ArrayList<>(sources);
            java.util.Set<String> inBase = new java.util.HashSet<>();
            if (base != null) {
                base.wheels().forEach(wheel -> inBase.add(PythonLock.normalize(wheel.name())));
            }
            for (JsonNode item : JSON.readTree(report.toFile()).path("install")) {
                String name = item.path("metadata").path("name").asText();
                String version = item.path("metadata").path("version").asText();
                if (inBase.contains(PythonLock.normalize(name))) {
                    continue;
                }
                JsonNode download = item.path("download_info");
                String url = download.path("url").asText();
                String sha256 = download.path("archive_info").path("hashes").path("sha256").asText("");
                if (!url.endsWith(".whl") || sha256.isEmpty()) {
                    throw new ImageBuildException("%s==%s resolved to %s, not a wheel with a SHA-256".formatted(name,
                            version, url));
                }
                wheels.add(new PythonLock.Wheel(name, version, sha256, url));
            }
            Files.writeString(pythonLock.toPath(), new PythonLock(wheels).text(List.of(
                    "The wheels this image installs (CPython %s, manylinux x86-64), pinned by SHA-256; the build "
                            .formatted(pythonVersion) + "verifies every one.",
                    "Resolved by pip from: " + String.join(" ", requirements) + (sourceDistributions.isEmpty() ? ""
                            : " and the requirements of " + String.join(" ", sourceDistributions))
                            + (base == null ? "" : ", with the wheels of " + baseLock.getParentFile().getName() + "/"
                            + baseLock.getName() + " as constraints (not repeated here)"),
                    "Refresh after a version change: " + PythonLock.REFRESH_COMMAND
                            + " (then review and commit the diff).")), StandardCharsets.UTF_8);
            getLog().info("Wrote %s: %d packages".formatted(pythonLock, wheels.size()));
            InstallWheelsMojo.deleteTree(work);
        }
        catch (ImageBuildException e) {
            throw new MojoFailureException(e.getMessage(), e);
        }
        catch (IOException e) {
            throw new MojoExecutionException("Cannot refresh " + pythonLock + ": " + e.getMessage(), e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MojoExecutionException("Interrupted", e);
        }
    }

    /** Pins the source distribution of {@code requirement} ({@code name==version}) from the index's JSON API. */
    private PythonLock.Wheel sourceDistribution(String requirement, Path work) throws IOException, InterruptedException {
        String[] parts = requirement.split("==", 2);
        if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
            throw new ImageBuildException("sourceDistribution '%s' is not name==version".formatted(requirement));
        }
        String name = PythonLock.normalize(parts[0].strip());
        String version = parts[1].strip();
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newBuilder()
                .followRedirects(java.net.http.HttpClient.Redirect.NORMAL).build()
                .send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(index + "/" + name + "/"))
                        .header("Accept", "application/vnd.pypi.simple.v1+json").build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new ImageBuildException("%s/%s/ answered %d: is %s on the index?".formatted(index, name,
                    response.statusCode(), name));
        }
        String wanted = name + "-" + version + SourceDistribution.SUFFIX;
        for (JsonNode file : JSON.readTree(response.body()).path("files")) {
            // Archives spell the project's name in several ways (pyspark, PySpark, py_spark): compared normalised.
            if (WheelBuilder.normalize(file.path("filename").asText()).equals(WheelBuilder.normalize(wanted))) {
                String sha256 = file.path("hashes").path("sha256").asText("");
                PythonLock.Wheel pin = new PythonLock.Wheel(parts[0].strip(), version, sha256, file.path("url").asText());
                Path archive = work.resolve(pin.fileName());
                Downloads.download(pin.url(), archive);
                if (!Digests.sha256(archive).equals(sha256)) {
                    throw new ImageBuildException("%s does not have the SHA-256 the index gives (%s)".formatted(
                            pin.url(), sha256));
                }
                return pin;
            }
        }
        throw new ImageBuildException("%s/%s/ serves no %s".formatted(index, name, wanted));
    }
}
