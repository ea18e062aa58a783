package io.dataplatform.it;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.provider.Arguments;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An access test's specification as a table: a header {@code operation <user> <user> ...}, then one row per
 * operation with one outcome word per user. Each cell becomes the arguments (user, operation, outcome) of a
 * parameterised test; a row of the wrong length or an unknown outcome word fails the test class at once.
 */
final class AccessMatrix {
    private AccessMatrix() {}

    static Stream<Arguments> cells(String table, Collection<String> outcomes) {
        List<String> lines = table.lines().filter(line -> !line.isBlank()).toList();
        List<String> header = Arrays.asList(lines.getFirst().trim().split("\\s+"));
        List<Arguments> cells = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] words = line.trim().split("\\s+");
            assertThat(words).as("row %s", words[0]).hasSize(header.size());
            for (int column = 1; column < header.size(); column++) {
                assertThat(outcomes).as("outcome of %s for %s", words[0], header.get(column)).contains(words[column]);
                cells.add(Arguments.of(header.get(column), words[0], words[column]));
            }
        }
        return cells.stream();
    }
}
