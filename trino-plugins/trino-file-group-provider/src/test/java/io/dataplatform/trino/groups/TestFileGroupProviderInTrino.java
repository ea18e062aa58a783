package io.dataplatform.trino.groups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.trino.testing.StandaloneQueryRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.trino.testing.TestingSession.testSessionBuilder;
import static org.assertj.core.api.Assertions.assertThat;

/** Through a real coordinator and the JDBC driver: groups reach {@code current_groups()} as analysts see them. */
class TestFileGroupProviderInTrino {
    @TempDir
    Path temporary;

    @Test
    void currentGroupsComeFromTheFile() throws IOException, SQLException {
        Path file = Files.writeString(temporary.resolve("groups.txt"), "analysts: alice\nadmins: alice, root\n");
        try (StandaloneQueryRunner queryRunner = new StandaloneQueryRunner(testSessionBuilder().build())) {
            queryRunner.installPlugin(new FileGroupProviderPlugin());
            queryRunner.getGroupProvider().setConfiguredGroupProvider("platform-file", Map.of(
                    "file-group-provider.groups-file", file.toString(),
                    "file-group-provider.refresh-period", "1ms"));
            String url = "jdbc:trino://%s:%d".formatted(queryRunner.getCoordinator().getAddress().getHost(),
                    queryRunner.getCoordinator().getAddress().getPort());

            assertThat(currentGroups(url, "alice")).containsExactly("admins", "analysts");
            assertThat(currentGroups(url, "mallory")).isEmpty();

            Files.writeString(file, "analysts: alice, mallory\n");
            assertThat(currentGroups(url, "mallory")).containsExactly("analysts");
        }
    }

    private static List<String> currentGroups(String url, String user) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url, user, null);
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(
                        "SELECT g FROM UNNEST(current_groups()) AS t(g) ORDER BY g")) {
            List<String> groups = new ArrayList<>();
            while (result.next()) {
                groups.add(result.getString(1));
            }
            return groups;
        }
    }
}
