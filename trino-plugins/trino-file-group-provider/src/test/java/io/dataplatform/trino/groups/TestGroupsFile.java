package io.dataplatform.trino.groups;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestGroupsFile {
    @Test
    void mapsUsersToAllTheirGroups() {
        GroupsFile file = GroupsFile.parse("groups.txt", List.of(
                "# comment",
                "",
                "analysts: alice, bob",
                "network-planning:carol,alice",
                "empty_team:"));
        assertThat(file.groupsOf("alice")).containsExactlyInAnyOrder("analysts", "network-planning");
        assertThat(file.groupsOf("bob")).containsExactly("analysts");
        assertThat(file.groupsOf("nobody")).isEmpty();
    }

    @Test
    void reportsTheLineAndWhatIsWrong() {
        assertThatThrownBy(() -> GroupsFile.parse("groups.txt", List.of("analysts: alice", "bob")))
                .hasMessage("groups.txt:2: expected '<group>: <user>, <user>, ...'");
        assertThatThrownBy(() -> GroupsFile.parse("groups.txt", List.of("Analysts: alice")))
                .hasMessageStartingWith("groups.txt:1: 'Analysts' is not a valid group name");
        assertThatThrownBy(() -> GroupsFile.parse("groups.txt", List.of("a: x", "", "a: y")))
                .hasMessage("groups.txt:3: group 'a' is listed twice");
        assertThatThrownBy(() -> GroupsFile.parse("groups.txt", List.of("a: alice,, bob")))
                .hasMessage("groups.txt:1: '' is not a valid user name in group 'a'");
        assertThatThrownBy(() -> GroupsFile.parse("groups.txt", List.of("a: alice smith")))
                .hasMessage("groups.txt:1: 'alice smith' is not a valid user name in group 'a'");
    }
}
