package io.dataplatform.spark;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestSqlJob {
    @Test
    void onlyStatementsThatCreateWhatIsMissingAreRunOnceMoreAfterAFailure() {
        // Two jobs at once (SparkOnKubernetesIT.twoDriversRunSideBySide): the second's creation may fail.
        assertThat(SqlJob.createsOnlyWhatIsMissing("CREATE NAMESPACE IF NOT EXISTS lakehouse.team")).isTrue();
        assertThat(SqlJob.createsOnlyWhatIsMissing("\n  create schema if not exists lakehouse.team")).isTrue();
        assertThat(SqlJob.createsOnlyWhatIsMissing("CREATE DATABASE IF NOT EXISTS x")).isTrue();
        assertThat(SqlJob.createsOnlyWhatIsMissing(
                "CREATE TABLE IF NOT EXISTS lakehouse.team.t (id BIGINT)\nUSING iceberg")).isTrue();
        // What changes data, or fails for a reason a second run would not change, fails at once.
        assertThat(SqlJob.createsOnlyWhatIsMissing("CREATE TABLE lakehouse.team.t (id BIGINT)")).isFalse();
        assertThat(SqlJob.createsOnlyWhatIsMissing("INSERT INTO t SELECT 1")).isFalse();
        assertThat(SqlJob.createsOnlyWhatIsMissing("CREATE OR REPLACE TABLE t AS SELECT 1")).isFalse();
        assertThat(SqlJob.createsOnlyWhatIsMissing("DROP TABLE IF EXISTS t")).isFalse();
    }
}
