package io.dataplatform.trino.telecom;

import java.util.Set;

import io.airlift.slice.Slice;
import io.airlift.slice.Slices;
import io.trino.spi.function.Description;
import io.trino.spi.function.ScalarFunction;
import io.trino.spi.function.SqlNullable;
import io.trino.spi.function.SqlType;
import io.trino.spi.type.StandardTypes;

/**
 * IMSI = MCC (3 digits) + MNC (2 or 3 digits) + MSIN, 14 or 15 digits in all. An invalid IMSI gives NULL.
 *
 * <p>The MNC length is not encoded in the IMSI; it is 3 digits in the countries listed here (North America, India's
 * 405 series, parts of Latin America) and 2 elsewhere, which is right for the operators a European network roams
 * with. A network with other needs joins against its own MCC/MNC table instead.
 */
public final class ImsiFunctions {
    private static final Set<String> THREE_DIGIT_MNC_COUNTRIES = Set.of(
            "302", "310", "311", "312", "313", "314", "315", "316", "334", "338", "342", "344", "346", "348", "354",
            "356", "358", "360", "365", "366", "376", "405", "708", "722", "732");

    private ImsiFunctions() {}

    @ScalarFunction("imsi_mcc")
    @Description("Mobile country code (3 digits) of an IMSI; NULL when the IMSI is not 14-15 digits")
    @SqlNullable
    @SqlType(StandardTypes.VARCHAR)
    public static Slice imsiMcc(@SqlType(StandardTypes.VARCHAR) Slice imsi) {
        String value = valid(imsi);
        return value == null ? null : Slices.utf8Slice(value.substring(0, 3));
    }

    @ScalarFunction("imsi_mnc")
    @Description("Mobile network code (2 or 3 digits, by country) of an IMSI; NULL when the IMSI is not valid")
    @SqlNullable
    @SqlType(StandardTypes.VARCHAR)
    public static Slice imsiMnc(@SqlType(StandardTypes.VARCHAR) Slice imsi) {
        String value = valid(imsi);
        if (value == null) {
            return null;
        }
        int length = THREE_DIGIT_MNC_COUNTRIES.contains(value.substring(0, 3)) ? 3 : 2;
        return Slices.utf8Slice(value.substring(3, 3 + length));
    }

    private static String valid(Slice imsi) {
        String value = imsi.toStringUtf8().strip();
        return value.matches("[0-9]{14,15}") ? value : null;
    }
}
