package io.dataplatform.trino.telecom;

import io.airlift.slice.Slice;
import io.trino.spi.function.Description;
import io.trino.spi.function.ScalarFunction;
import io.trino.spi.function.SqlType;
import io.trino.spi.type.StandardTypes;

/** IMEI check: 15 digits (spaces and '-' allowed as separators) whose last digit is the Luhn check digit. */
public final class ImeiFunctions {
    private ImeiFunctions() {}

    @ScalarFunction("is_valid_imei")
    @Description("True when the value is a 15-digit IMEI with a correct Luhn check digit; false otherwise")
    @SqlType(StandardTypes.BOOLEAN)
    public static boolean isValidImei(@SqlType(StandardTypes.VARCHAR) Slice imei) {
        String digits = imei.toStringUtf8().replaceAll("[\\s-]", "");
        if (!digits.matches("[0-9]{15}")) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < 15; i++) {
            int digit = digits.charAt(14 - i) - '0';
            if (i % 2 == 1) {
                digit *= 2;
                if (digit > 9) {
                    digit -= 9;
                }
            }
            sum += digit;
        }
        return sum % 10 == 0;
    }
}
