package io.dataplatform.trino.audit;

import org.junit.jupiter.api.Test;

import static io.dataplatform.trino.audit.SqlLiteralRedactor.redact;
import static org.assertj.core.api.Assertions.assertThat;

class TestSqlLiteralRedactor {
    @Test
    void replacesStringAndNumberLiterals() {
        assertThat(redact("SELECT * FROM cdr WHERE msisdn = '+33612345678' AND duration > 60"))
                .isEqualTo("SELECT * FROM cdr WHERE msisdn = '?' AND duration > ?");
        assertThat(redact("SELECT 'it''s', 1.5e-3, -42, DATE '2026-11-26', X'00ff'"))
                .isEqualTo("SELECT '?', ?, -?, DATE '?', X'?'");
    }

    @Test
    void keepsIdentifiersQuotedIdentifiersAndComments() {
        assertThat(redact("SELECT t1.col_2, \"weird 'name' 3\" FROM s3.t1 -- note 42\nLIMIT 10"))
                .isEqualTo("SELECT t1.col_2, \"weird 'name' 3\" FROM s3.t1 -- note 42\nLIMIT ?");
        assertThat(redact("SELECT /* 'x' */ a")).isEqualTo("SELECT /* 'x' */ a");
    }

    @Test
    void neverFailsOnUnbalancedInput() {
        assertThat(redact("SELECT 'unterminated")).isEqualTo("SELECT '?'");
        assertThat(redact("")).isEmpty();
    }
}
