package io.dataplatform.hadoop.config;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A service's own database in the platform's PostgreSQL, from four variables {@code <prefix>_HOST} (host:port),
 * {@code _NAME}, {@code _USER} and {@code _PASSWORD} (a Secret): what the Airflow and JupyterHub launchers turn into
 * their SQLAlchemy URL, TLS required. Every problem is named at once; the password never appears in one.
 * {@code whose} names the database in messages ("the team's metadata database"), {@code exampleName} is a name it
 * could have.
 */
public record PlatformDatabase(String prefix, String whose, String exampleName) {
    private static final String NAME = "[a-z_][a-z0-9_]*";

    public List<Setting> settings() {
        return List.of(
                Setting.required(prefix + "_HOST", ClientConfiguration.HOST_PORT,
                        whose + " server, host:port, e.g. postgresql.platform.svc:5432"),
                Setting.required(prefix + "_NAME", NAME, whose + ", e.g. " + exampleName),
                Setting.required(prefix + "_USER", NAME, "the database's owner"),
                Setting.secret(prefix + "_PASSWORD", "[^\\n]+", "the owner's password, from a Secret"));
    }

    /**
     * The SQLAlchemy URL of the database (psycopg2, {@code sslmode=require}, the password URL-encoded), read from
     * {@code environment}; the problems are added to {@code problems} instead when a variable is missing or malformed.
     */
    public String sqlAlchemyUrl(Map<String, String> environment, List<String> problems) {
        Variables database = new Variables(environment).read(settings());
        problems.addAll(database.problems());
        if (!database.problems().isEmpty()) {
            return null;
        }
        return "postgresql+psycopg2://%s:%s@%s/%s?sslmode=require".formatted(
                database.value(prefix + "_USER").orElseThrow(),
                URLEncoder.encode(database.value(prefix + "_PASSWORD").orElseThrow(), StandardCharsets.UTF_8)
                        .replace("+", "%20"),
                database.value(prefix + "_HOST").orElseThrow(),
                database.value(prefix + "_NAME").orElseThrow());
    }
}
