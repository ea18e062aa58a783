package io.dataplatform.hadoop.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestPlatformDatabase {
    private final PlatformDatabase hub = new PlatformDatabase("JUPYTERHUB_DATABASE", "the hub's database", "jupyterhub");

    @Test
    void theUrlRequiresTlsAndEncodesThePassword() {
        List<String> problems = new ArrayList<>();
        String url = hub.sqlAlchemyUrl(Map.of("JUPYTERHUB_DATABASE_HOST", "postgresql.platform.svc:5432",
                "JUPYTERHUB_DATABASE_NAME", "jupyterhub", "JUPYTERHUB_DATABASE_USER", "jupyterhub",
                "JUPYTERHUB_DATABASE_PASSWORD", "s3cret word+/@"), problems);
        assertThat(problems).isEmpty();
        assertThat(url).isEqualTo("postgresql+psycopg2://jupyterhub:s3cret%20word%2B%2F%40@postgresql.platform.svc:5432/"
                + "jupyterhub?sslmode=require");
    }

    @Test
    void everyProblemIsNamedAndThePasswordNeverShown() {
        List<String> problems = new ArrayList<>();
        String url = hub.sqlAlchemyUrl(Map.of("JUPYTERHUB_DATABASE_HOST", "postgresql", "JUPYTERHUB_DATABASE_USER",
                "Hub", "JUPYTERHUB_DATABASE_PASSWORD", "line\nbreak-secret"), problems);
        assertThat(url).isNull();
        assertThat(problems).containsExactly(
                "JUPYTERHUB_DATABASE_HOST='postgresql' is not valid (the hub's database server, host:port, e.g. "
                        + "postgresql.platform.svc:5432)",
                "JUPYTERHUB_DATABASE_NAME is not set (the hub's database, e.g. jupyterhub)",
                "JUPYTERHUB_DATABASE_USER='Hub' is not valid (the database's owner)",
                "JUPYTERHUB_DATABASE_PASSWORD=<secret of 17 characters, not shown> is not valid (the owner's password, "
                        + "from a Secret)");
        assertThat(String.join("\n", problems)).doesNotContain("break-secret");
    }
}
