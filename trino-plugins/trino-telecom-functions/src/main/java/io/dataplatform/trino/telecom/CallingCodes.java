package io.dataplatform.trino.telecom;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** ITU-T E.164 country calling codes and their regions, from {@code calling-codes.tsv}. */
final class CallingCodes {
    /** Longest code or refining prefix in the table. */
    private static final int LONGEST_PREFIX = 4;
    private static final String NO_REGION = "-";
    private static final Map<String, String> REGION_BY_PREFIX = load();

    private CallingCodes() {}

    /** The calling code (1 to 3 digits) an international number starts with, if it is a known one. */
    static Optional<String> countryCode(String internationalDigits) {
        for (int length = 1; length <= 3 && length <= internationalDigits.length(); length++) {
            String candidate = internationalDigits.substring(0, length);
            if (REGION_BY_PREFIX.containsKey(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The region of an international number: the longest matching prefix wins (76 -> KZ over 7 -> RU). */
    static Optional<String> region(String internationalDigits) {
        for (int length = Math.min(LONGEST_PREFIX, internationalDigits.length()); length >= 1; length--) {
            String region = REGION_BY_PREFIX.get(internationalDigits.substring(0, length));
            if (region != null) {
                return region.equals(NO_REGION) ? Optional.empty() : Optional.of(region);
            }
        }
        return Optional.empty();
    }

    static boolean isCountryCode(String digits) {
        return countryCode(digits).map(digits::equals).orElse(false);
    }

    private static Map<String, String> load() {
        Map<String, String> regions = new HashMap<>();
        try (InputStream input = CallingCodes.class.getResourceAsStream("calling-codes.tsv");
                BufferedReader reader = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    String[] fields = line.split("\t");
                    regions.put(fields[0], fields[1]);
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(regions);
    }
}
