package io.dataplatform.trino.telecom;

import java.util.Optional;

import io.airlift.slice.Slice;
import io.airlift.slice.Slices;
import io.trino.spi.TrinoException;
import io.trino.spi.function.Description;
import io.trino.spi.function.ScalarFunction;
import io.trino.spi.function.SqlNullable;
import io.trino.spi.function.SqlType;
import io.trino.spi.type.StandardTypes;

import static io.trino.spi.StandardErrorCode.INVALID_FUNCTION_ARGUMENT;

/**
 * MSISDN functions. Bad <em>data</em> (a malformed number) gives NULL, so that one bad row does not fail a query
 * over millions; a bad <em>parameter</em> (an unknown default country code, written by the query's author) fails
 * the query with INVALID_FUNCTION_ARGUMENT. NULL in gives NULL out.
 */
public final class MsisdnFunctions {
    private MsisdnFunctions() {}

    @ScalarFunction("normalize_msisdn")
    @Description("Normalizes a phone number to E.164 (+<country code><number>); NULL when it is not a valid number")
    @SqlNullable
    @SqlType(StandardTypes.VARCHAR)
    public static Slice normalizeMsisdn(@SqlType(StandardTypes.VARCHAR) Slice number,
            @SqlType(StandardTypes.VARCHAR) Slice defaultCountryCode) {
        String countryCode = defaultCountryCode.toStringUtf8().strip();
        if (countryCode.startsWith("+")) {
            countryCode = countryCode.substring(1);
        }
        if (!countryCode.matches("[0-9]{1,3}") || !CallingCodes.isCountryCode(countryCode)) {
            throw new TrinoException(INVALID_FUNCTION_ARGUMENT,
                    "default_country_code '%s' is not an ITU-T E.164 country calling code"
                            .formatted(defaultCountryCode.toStringUtf8()));
        }
        return Msisdn.normalize(number.toStringUtf8(), Optional.of(countryCode))
                .map(digits -> Slices.utf8Slice("+" + digits))
                .orElse(null);
    }

    @ScalarFunction("msisdn_country")
    @Description("ISO 3166 region of an international number (+ or 00 prefix, or E.164 digits); NULL when unknown")
    @SqlNullable
    @SqlType(StandardTypes.VARCHAR)
    public static Slice msisdnCountry(@SqlType(StandardTypes.VARCHAR) Slice number) {
        return Msisdn.normalize(number.toStringUtf8(), Optional.empty())
                .flatMap(CallingCodes::region)
                .map(Slices::utf8Slice)
                .orElse(null);
    }

    @ScalarFunction("mask_msisdn")
    @Description("Masks a phone number for display: keeps '+', the first 4 and the last 2 digits")
    @SqlNullable
    @SqlType(StandardTypes.VARCHAR)
    public static Slice maskMsisdn(@SqlType(StandardTypes.VARCHAR) Slice number) {
        String value = number.toStringUtf8().replaceAll("[\\s\\-./()]", "");
        boolean plus = value.startsWith("+");
        String digits = plus ? value.substring(1) : value;
        if (!digits.matches("[0-9]{" + Msisdn.MIN_DIGITS + "," + Msisdn.MAX_DIGITS + "}")) {
            return null;
        }
        String masked = digits.substring(0, 4) + "*".repeat(digits.length() - 6) + digits.substring(digits.length() - 2);
        return Slices.utf8Slice(plus ? "+" + masked : masked);
    }
}
