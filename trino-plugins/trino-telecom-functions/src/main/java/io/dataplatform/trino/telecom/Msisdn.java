package io.dataplatform.trino.telecom;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * MSISDN parsing, shared by the SQL functions. Rules (documented in the README):
 * <ul>
 * <li>spaces, '-', '.', '/', '(' and ')' are separators and ignored; any other non-digit makes the input invalid</li>
 * <li>"+" or "00" starts an international number; a single leading "0" is the national trunk prefix, replaced by
 * the default country code; other digits are national unless they already start with the default country code and
 * are 11 or more digits long</li>
 * <li>an E.164 number has 7 to 15 digits and starts with a known country calling code</li>
 * </ul>
 */
final class Msisdn {
    private static final Pattern SEPARATORS = Pattern.compile("[\\s\\-./()]");
    private static final Pattern DIALLED = Pattern.compile("\\+?[0-9]+");
    static final int MIN_DIGITS = 7;
    static final int MAX_DIGITS = 15;

    private Msisdn() {}

    /** The digits of an E.164 number (no '+'), or empty when the input is not a valid number. */
    static Optional<String> normalize(String number, Optional<String> defaultCountryCode) {
        String dialled = SEPARATORS.matcher(number).replaceAll("");
        if (!DIALLED.matcher(dialled).matches()) {
            return Optional.empty();
        }
        String international;
        if (dialled.startsWith("+")) {
            international = dialled.substring(1);
        }
        else if (dialled.startsWith("00")) {
            international = dialled.substring(2);
        }
        else if (defaultCountryCode.isEmpty()) {
            // Without a default country, digits are taken as already international.
            international = dialled;
        }
        else if (dialled.startsWith("0")) {
            international = defaultCountryCode.get() + dialled.substring(1);
        }
        else if (dialled.startsWith(defaultCountryCode.get()) && dialled.length() >= 11) {
            international = dialled;
        }
        else {
            international = defaultCountryCode.get() + dialled;
        }
        if (international.length() < MIN_DIGITS || international.length() > MAX_DIGITS
                || CallingCodes.countryCode(international).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(international);
    }
}
