package io.dataplatform.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

import static java.util.Objects.requireNonNull;

/**
 * Resolves requested Debian packages to a closed set, the way apt would for a minimal install: Pre-Depends and
 * Depends (not Recommends), the first alternative that exists, virtual packages through Provides, and the newest
 * version any of the suite's archives (release, updates, security) offers.
 */
public final class DebianResolver {
    private final Map<String, Candidate> newestByName;
    private final Map<String, List<String>> providersByVirtualName;

    private DebianResolver(Collection<Candidate> candidates) {
        Map<String, Candidate> newest = new HashMap<>();
        for (Candidate candidate : candidates) {
            newest.merge(candidate.name(), candidate,
                    (left, right) -> DebianVersion.compare(left.version(), right.version()) >= 0 ? left : right);
        }
        Map<String, List<String>> providers = new HashMap<>();
        for (Candidate candidate : newest.values()) {
            for (String virtual : candidate.stanza().provides()) {
                providers.computeIfAbsent(virtual, key -> new ArrayList<>()).add(candidate.name());
            }
        }
        providers.values().forEach(names -> names.sort(Comparator.naturalOrder()));
        this.newestByName = newest;
        this.providersByVirtualName = providers;
    }

    /**
     * Reads {@code dists/<archive>/main/binary-<arch>/Packages.xz} of each archive base URL, each checked against the
     * archive's {@code InRelease} whose signature {@code keyring} verifies.
     */
    public static DebianResolver fromArchives(List<Archive> archives, String architecture, java.nio.file.Path keyring) {
        List<Candidate> candidates = new ArrayList<>();
        for (Archive archive : archives) {
            SignedRelease release = SignedRelease.download(archive.baseUrl(), archive.distribution(), keyring,
                    java.time.Instant.now());
            String index = "main/binary-%s/Packages.xz".formatted(architecture);
            String url = "%s/dists/%s/%s".formatted(archive.baseUrl(), archive.distribution(), index);
            String text;
            try (InputStream download = Downloads.open(url)) {
                byte[] compressed = download.readAllBytes();
                release.check(index, compressed);
                try (InputStream input = new XZCompressorInputStream(new java.io.ByteArrayInputStream(compressed))) {
                    text = new String(input.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            catch (IOException e) {
                throw new ImageBuildException("Cannot read the Debian package index " + url + ": " + e.getMessage(), e);
            }
            candidates.addAll(candidates(text, archive.baseUrl()));
        }
        return new DebianResolver(candidates);
    }

    public static DebianResolver fromIndex(String packagesText, String baseUrl) {
        return new DebianResolver(candidates(packagesText, baseUrl));
    }

    private static List<Candidate> candidates(String packagesText, String baseUrl) {
        List<Candidate> candidates = new ArrayList<>();
        for (ControlStanza stanza : ControlStanza.parseAll(packagesText)) {
            candidates.add(new Candidate(stanza.required("Package"), stanza.required("Version"), stanza,
                    baseUrl + "/" + stanza.required("Filename")));
        }
        return candidates;
    }

    /**
     * The closure of {@code requested}, sorted by name. {@code excluded} names are treated as present (an image
     * that wants no debconf or perl says so); {@code inherited} packages come from a base image's lock.
     */
    public List<DebianLock.LockedPackage> resolve(List<String> requested, Set<String> excluded,
            Set<String> inherited) {
        Map<String, Candidate> chosen = new TreeMap<>();
        Deque<String> queue = new ArrayDeque<>();
        for (String name : requested) {
            if (!newestByName.containsKey(name)) {
                throw new ImageBuildException("Requested Debian package '%s' is not in the package index"
                        .formatted(name));
            }
            queue.add(name);
        }
        while (!queue.isEmpty()) {
            String name = queue.removeFirst();
            if (chosen.containsKey(name) || inherited.contains(name)) {
                continue;
            }
            Candidate candidate = newestByName.get(name);
            chosen.put(name, candidate);
            for (List<String> group : candidate.stanza().dependencies()) {
                if (satisfied(group, chosen.keySet(), excluded, inherited)) {
                    continue;
                }
                queue.add(choose(group, candidate));
            }
        }
        List<DebianLock.LockedPackage> locked = new ArrayList<>();
        for (Candidate candidate : chosen.values()) {
            ControlStanza stanza = candidate.stanza();
            locked.add(new DebianLock.LockedPackage(candidate.name(), candidate.version(),
                    stanza.required("Architecture"), stanza.required("SHA256"),
                    Long.parseLong(stanza.required("Size")), candidate.url()));
        }
        return locked;
    }

    private boolean satisfied(List<String> group, Set<String> chosen, Set<String> excluded, Set<String> inherited) {
        for (String alternative : group) {
            if (chosen.contains(alternative) || excluded.contains(alternative) || inherited.contains(alternative)) {
                return true;
            }
            for (String provider : providersByVirtualName.getOrDefault(alternative, List.of())) {
                if (chosen.contains(provider) || inherited.contains(provider)) {
                    return true;
                }
            }
        }
        return false;
    }

    private String choose(List<String> group, Candidate dependent) {
        for (String alternative : group) {
            if (newestByName.containsKey(alternative)) {
                return alternative;
            }
        }
        for (String alternative : group) {
            List<String> providers = providersByVirtualName.getOrDefault(alternative, List.of());
            if (!providers.isEmpty()) {
                return providers.getFirst();
            }
        }
        throw new ImageBuildException("Cannot resolve '%s', a dependency of %s %s: no package provides it"
                .formatted(String.join(" | ", group), dependent.name(), dependent.version()));
    }

    /**
     * Checks that every dependency of every locked package is met inside the lock (or its base, or its exclusions),
     * so a package removed from a lock by hand fails the build instead of producing an image that breaks at run time.
     */
    public static void checkClosed(Map<DebianLock.LockedPackage, ControlStanza> controls, Set<String> excluded,
            Set<String> inherited, String lockName) {
        Set<String> present = new LinkedHashSet<>(inherited);
        present.addAll(excluded);
        for (ControlStanza control : controls.values()) {
            present.add(control.required("Package"));
            present.addAll(control.provides());
        }
        for (Map.Entry<DebianLock.LockedPackage, ControlStanza> entry : controls.entrySet()) {
            for (List<String> group : entry.getValue().dependencies()) {
                if (group.stream().noneMatch(present::contains)) {
                    throw new ImageBuildException(("%s is missing a package: %s depends on '%s', which is neither in "
                            + "the lock, nor in its base, nor excluded. Run the refresh command (README).")
                            .formatted(lockName, entry.getKey(), String.join(" | ", group)));
                }
            }
        }
    }

    /** One Debian archive: a mirror base URL and a distribution such as trixie, trixie-updates, trixie-security. */
    public record Archive(String baseUrl, String distribution) {
        public Archive {
            requireNonNull(baseUrl, "baseUrl is null");
            requireNonNull(distribution, "distribution is null");
        }
    }

    private record Candidate(String name, String version, ControlStanza stanza, String url) {}
}
