package io.dataplatform.image;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One paragraph of a Debian control file or Packages index (deb822): fields in order, continuation lines kept. */
public record ControlStanza(Map<String, String> fields) {
    public ControlStanza {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    public static List<ControlStanza> parseAll(String text) {
        List<ControlStanza> stanzas = new ArrayList<>();
        Map<String, String> fields = new LinkedHashMap<>();
        String lastKey = null;
        for (String line : text.split("\n", -1)) {
            if (line.isBlank()) {
                if (!fields.isEmpty()) {
                    stanzas.add(new ControlStanza(fields));
                    fields = new LinkedHashMap<>();
                }
                lastKey = null;
            }
            else if ((line.startsWith(" ") || line.startsWith("\t")) && lastKey != null) {
                fields.put(lastKey, fields.get(lastKey) + "\n" + line);
            }
            else {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new ImageBuildException("Malformed control line: " + line);
                }
                lastKey = line.substring(0, colon);
                fields.put(lastKey, line.substring(colon + 1).strip());
            }
        }
        if (!fields.isEmpty()) {
            stanzas.add(new ControlStanza(fields));
        }
        return stanzas;
    }

    public static ControlStanza parse(String text) {
        List<ControlStanza> stanzas = parseAll(text);
        if (stanzas.size() != 1) {
            throw new ImageBuildException("Expected one control paragraph, found " + stanzas.size());
        }
        return stanzas.getFirst();
    }

    public Optional<String> field(String name) {
        return Optional.ofNullable(fields.get(name));
    }

    public String required(String name) {
        return field(name).orElseThrow(() -> new ImageBuildException(
                "Control paragraph of %s has no %s field".formatted(fields.getOrDefault("Package", "?"), name)));
    }

    /** Pre-Depends and Depends: a list of groups, each a list of alternative package names. */
    public List<List<String>> dependencies() {
        List<List<String>> groups = new ArrayList<>();
        for (String field : List.of("Pre-Depends", "Depends")) {
            field(field).ifPresent(value -> groups.addAll(relations(value)));
        }
        return groups;
    }

    /** Package names a relationship field lists, each group's alternatives in order; versions are dropped. */
    public static List<List<String>> relations(String value) {
        List<List<String>> groups = new ArrayList<>();
        for (String group : value.split(",")) {
            if (group.isBlank()) {
                continue;
            }
            List<String> alternatives = new ArrayList<>();
            for (String alternative : group.split("\\|")) {
                String name = alternative.strip().split("[\\s(\\[<]", 2)[0];
                int colon = name.indexOf(':');
                alternatives.add(colon >= 0 ? name.substring(0, colon) : name);
            }
            groups.add(alternatives);
        }
        return groups;
    }

    public List<String> provides() {
        return field("Provides").map(value -> relations(value).stream().map(List::getFirst).toList())
                .orElse(List.of());
    }

    /** The paragraph as deb822 text, for /var/lib/dpkg/status.d. */
    public String format() {
        StringBuilder text = new StringBuilder();
        fields.forEach((key, value) -> text.append(key).append(": ").append(value).append('\n'));
        return text.toString();
    }
}
