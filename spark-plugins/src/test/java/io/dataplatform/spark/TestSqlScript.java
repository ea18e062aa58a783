package io.dataplatform.spark;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestSqlScript {
    @Test
    void splitsAtSemicolonsOutsideStringsIdentifiersAndComments() {
        SqlScript script = SqlScript.parse("job.sql", """
                -- a comment; not a statement
                CREATE TABLE t (a string);

                INSERT INTO t VALUES ('x;y'), ("it''s"), ('o''k; still');
                /* block; comment
                   over lines */ SELECT `odd;name`
                FROM t;
                SELECT 1""");

        assertThat(script.statements()).extracting(SqlScript.Statement::text).containsExactly(
                "CREATE TABLE t (a string)",
                "INSERT INTO t VALUES ('x;y'), (\"it''s\"), ('o''k; still')",
                "SELECT `odd;name`\nFROM t",
                "SELECT 1");
        assertThat(script.statements()).extracting(SqlScript.Statement::location)
                .containsExactly("job.sql:2", "job.sql:4", "job.sql:6", "job.sql:8");
    }

    @Test
    void emptyStatementsAreDropped() {
        assertThat(SqlScript.parse("-e", " ; ;\n-- only a comment\n").statements()).isEmpty();
    }

    @Test
    void unclosedQuotesAndCommentsNameTheirLine() {
        assertThatThrownBy(() -> SqlScript.parse("bad.sql", "SELECT 1;\nSELECT 'oops"))
                .hasMessage("bad.sql:2: the ' opened here is not closed");
        assertThatThrownBy(() -> SqlScript.parse("bad.sql", "SELECT 1;\n\n/* never closed"))
                .hasMessage("bad.sql:3: the comment is not closed");
    }
}
