package io.dataplatform.trino.telecom;

import io.trino.testing.StandaloneQueryRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static io.trino.testing.TestingSession.testSessionBuilder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The functions through a real Trino engine: SQL types, NULL handling and errors as analysts will see them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestTelecomFunctions {
    private StandaloneQueryRunner queryRunner;

    @BeforeAll
    void startEngine() {
        queryRunner = new StandaloneQueryRunner(testSessionBuilder().build());
        queryRunner.installPlugin(new TelecomFunctionsPlugin());
    }

    @AfterAll
    void stopEngine() {
        queryRunner.close();
    }

    @Test
    void normalizesToE164() {
        assertThat(value("normalize_msisdn('+33 6 12 34 56 78', '33')")).isEqualTo("+33612345678");
        assertThat(value("normalize_msisdn('06 12 34 56 78', '33')")).isEqualTo("+33612345678");
        assertThat(value("normalize_msisdn('0033-612-345-678', '+33')")).isEqualTo("+33612345678");
        assertThat(value("normalize_msisdn('612345678', '33')")).isEqualTo("+33612345678");
        assertThat(value("normalize_msisdn('33612345678', '33')")).isEqualTo("+33612345678");
        assertThat(value("normalize_msisdn('(030) 1234567', '49')")).isEqualTo("+49301234567");
        assertThat(value("normalize_msisdn('+1 (212) 555-0100', '33')")).isEqualTo("+12125550100");
    }

    @Test
    void badNumbersGiveNullAndNullGivesNull() {
        assertThat(value("normalize_msisdn('06 12 AB 56 78', '33')")).isNull();
        assertThat(value("normalize_msisdn('+33 6 12 34 56 78 90 12 34', '33')")).isNull();
        assertThat(value("normalize_msisdn('+999 123456', '33')")).isNull();
        assertThat(value("normalize_msisdn('', '33')")).isNull();
        assertThat(value("normalize_msisdn(CAST(NULL AS varchar), '33')")).isNull();
        assertThat(value("msisdn_country(CAST(NULL AS varchar))")).isNull();
    }

    @Test
    void anUnknownDefaultCountryCodeFailsTheQuery() {
        assertThatThrownBy(() -> value("normalize_msisdn('0612345678', '999')"))
                .hasMessageContaining("default_country_code '999' is not an ITU-T E.164 country calling code");
        assertThatThrownBy(() -> value("normalize_msisdn('0612345678', 'FR')"))
                .hasMessageContaining("default_country_code 'FR'");
    }

    @Test
    void findsTheCountryOfAnInternationalNumber() {
        assertThat(value("msisdn_country('+33612345678')")).isEqualTo("FR");
        assertThat(value("msisdn_country('0049301234567')")).isEqualTo("DE");
        assertThat(value("msisdn_country('+7 701 123 4567')")).isEqualTo("KZ");
        assertThat(value("msisdn_country('+7 912 123 4567')")).isEqualTo("RU");
        assertThat(value("msisdn_country('+1 212 555 0100')")).isEqualTo("US");
        assertThat(value("msisdn_country('+352 621 123 456')")).isEqualTo("LU");
        assertThat(value("msisdn_country('+800 1234 5678')")).isNull();
        assertThat(value("msisdn_country('not a number')")).isNull();
    }

    @Test
    void masksForDisplay() {
        assertThat(value("mask_msisdn('+33612345678')")).isEqualTo("+3361*****78");
        assertThat(value("mask_msisdn('33 6 12 34 56 78')")).isEqualTo("3361*****78");
        assertThat(value("mask_msisdn('12345')")).isNull();
        assertThat(value("mask_msisdn('+33 6x')")).isNull();
    }

    @Test
    void splitsImsi() {
        assertThat(value("imsi_mcc('208011234567890')")).isEqualTo("208");
        assertThat(value("imsi_mnc('208011234567890')")).isEqualTo("01");
        assertThat(value("imsi_mnc('310150123456789')")).isEqualTo("150");
        assertThat(value("imsi_mnc('40512345678901')")).isEqualTo("123");
        assertThat(value("imsi_mcc('20801123')")).isNull();
        assertThat(value("imsi_mcc('20801123456789X')")).isNull();
        assertThat(value("imsi_mnc(CAST(NULL AS varchar))")).isNull();
    }

    @Test
    void checksImeiWithLuhn() {
        assertThat(value("is_valid_imei('490154203237518')")).isEqualTo(true);
        assertThat(value("is_valid_imei('49-015420-323751-8')")).isEqualTo(true);
        assertThat(value("is_valid_imei('490154203237519')")).isEqualTo(false);
        assertThat(value("is_valid_imei('49015420323751')")).isEqualTo(false);
        assertThat(value("is_valid_imei('4901542032375180')")).isEqualTo(false);
        assertThat(value("is_valid_imei('ABCDEFGHIJKLMNO')")).isEqualTo(false);
        assertThat(value("is_valid_imei(CAST(NULL AS varchar))")).isNull();
    }

    @Test
    void worksOverRows() {
        assertThat(queryRunner.execute("""
                SELECT count(*) FILTER (WHERE normalize_msisdn(n, '33') IS NOT NULL)
                FROM (VALUES '0612345678', '+33 7 00 00 00 00', 'garbage', NULL) AS t(n)
                """).getOnlyValue()).isEqualTo(2L);
    }

    private Object value(String expression) {
        return queryRunner.execute("SELECT " + expression).getOnlyValue();
    }
}
