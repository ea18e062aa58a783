package io.dataplatform.hadoop.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A configuration file with {@code ${NAME}} placeholders, filled from {@link Variables}. */
public record Template(String fileName, String text) {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)}");

    public Template {
        Objects.requireNonNull(fileName, "fileName is null");
        Objects.requireNonNull(text, "text is null");
        if (fileName.contains("/")) {
            throw new IllegalArgumentException("template file name must be a plain name: " + fileName);
        }
    }

    /** The template {@code fileName} stored as a class-path resource next to {@code anchor}. */
    public static Template resource(Class<?> anchor, String fileName) {
        try (InputStream input = anchor.getResourceAsStream(fileName)) {
            if (input == null) {
                throw new IllegalStateException("no template " + fileName + " next to " + anchor.getName());
            }
            return new Template(fileName, new String(input.readAllBytes(), StandardCharsets.UTF_8));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Set<String> placeholders() {
        Set<String> names = new LinkedHashSet<>();
        Matcher matcher = PLACEHOLDER.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    /** The problems (missing or invalid variables) this template would hit, by variable name. */
    public Map<String, String> problems(Variables variables) {
        Map<String, String> problems = new LinkedHashMap<>();
        for (String name : placeholders()) {
            if (!variables.declared(name)) {
                throw new IllegalStateException("template " + fileName + " uses ${" + name + "}, which no setting "
                        + "declares");
            }
            variables.problem(name).ifPresent(problem -> problems.put(name, problem));
        }
        return problems;
    }

    /** The filled text; XML templates get their values escaped. Throws if a variable it uses has a problem. */
    public String render(Variables variables) {
        Map<String, String> problems = problems(variables);
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems.values().stream().map(problem -> fileName + ": " + problem)
                    .toList());
        }
        boolean xml = fileName.endsWith(".xml");
        Matcher matcher = PLACEHOLDER.matcher(text);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            String value = variables.value(matcher.group(1)).orElseThrow();
            matcher.appendReplacement(result, Matcher.quoteReplacement(xml ? escapeXml(value) : value));
        }
        matcher.appendTail(result);
        return result.toString();
    }

    private static String escapeXml(String value) {
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
