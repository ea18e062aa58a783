import unittest

import platform_environments as environments
from platform_environments import EnvironmentsError

DOCUMENT = {"environments": [
    {"slug": "base", "display_name": "Base", "description": "SQL, pandas, PySpark", "image": "platform/notebook:2026.11-1"},
    {"slug": "geo", "display_name": "Geo", "image": "platform/notebook-geo:2026.11-1",
     "groups": ["analysts", "platform-admins"], "previous": ["2026.10-1"]},
]}


class TestEnvironments(unittest.TestCase):
    def setUp(self):
        self.environments = environments.load(DOCUMENT)

    def test_a_user_is_offered_the_environments_of_their_groups_the_first_as_default(self):
        alice = environments.profiles(self.environments, {"team-data-engineering"}, "registry.example:5000/")
        self.assertEqual(["base"], [profile["slug"] for profile in alice])
        self.assertTrue(alice[0]["default"])
        self.assertEqual({"image": "registry.example:5000/platform/notebook:2026.11-1"},
                         alice[0]["kubespawner_override"])
        bob = environments.profiles(self.environments, {"analysts", "region-north"})
        self.assertEqual(["base", "geo", "geo-2026-10-1"], [profile["slug"] for profile in bob])
        self.assertEqual("Geo (2026.10-1, previous)", bob[2]["display_name"])
        self.assertEqual("platform/notebook-geo:2026.10-1", bob[2]["kubespawner_override"]["image"])

    def test_a_start_is_checked_against_the_users_groups_on_the_server(self):
        environments.check_start(self.environments, "platform/notebook-geo:2026.10-1", "bob", {"analysts"})
        with self.assertRaises(PermissionError) as refused:
            environments.check_start(self.environments, "platform/notebook-geo:2026.11-1", "alice",
                                     {"team-data-engineering"})
        self.assertEqual("alice may not start Geo: it is for the groups analysts, platform-admins; alice's groups: "
                         "team-data-engineering", str(refused.exception))
        with self.assertRaisesRegex(PermissionError, "platform/evil:1 is not one of the hub's environments"):
            environments.check_start(self.environments, "platform/evil:1", "alice", set())

    def test_published_environments_are_pinned_by_digest_and_their_previous_tags_keep_theirs(self):
        new, old = "sha256:" + "a" * 64, "sha256:" + "b" * 64
        pinned = environments.load({"environments": [
            {"slug": "base", "display_name": "Base", "image": f"platform/notebook:2026.12-1@{new}",
             "previous": [f"2026.11-1@{old}", "2026.10-1"]}]})
        offered = environments.profiles(pinned, set(), "registry.operator.example")
        self.assertEqual(["base", "base-2026-11-1", "base-2026-10-1"], [profile["slug"] for profile in offered])
        self.assertEqual("Base (2026.11-1, previous)", offered[1]["display_name"])
        self.assertEqual(f"registry.operator.example/platform/notebook:2026.12-1@{new}",
                         offered[0]["kubespawner_override"]["image"])
        self.assertEqual(f"registry.operator.example/platform/notebook:2026.11-1@{old}",
                         offered[1]["kubespawner_override"]["image"])
        environments.check_start(pinned, f"registry.operator.example/platform/notebook:2026.11-1@{old}", "bob", set(),
                                 "registry.operator.example")
        with self.assertRaises(PermissionError):
            environments.check_start(pinned, "registry.operator.example/platform/notebook:2026.11-1", "bob", set(),
                                     "registry.operator.example")
        with self.assertRaisesRegex(EnvironmentsError, "previous names the current tag 2026.12-1"):
            environments.load({"environments": [{"slug": "base", "display_name": "Base",
                                                 "image": f"platform/notebook:2026.12-1@{new}",
                                                 "previous": [f"2026.12-1@{old}"]}]})

    def test_a_malformed_file_says_what_and_where(self):
        cases = [
            ({}, "expected a list 'environments:'"),
            ({"environments": [{"slug": "Base!", "image": "platform/notebook:1", "display_name": "B"}]},
             "environment 1: slug 'Base!'"),
            ({"environments": [{"slug": "base", "image": "docker.io/evil:1", "display_name": "B"}]},
             "environment 'base': image 'docker.io/evil:1' is not platform/<image>:<tag>"),
            ({"environments": [{"slug": "base", "image": "platform/notebook:1@sha256:abc", "display_name": "B"}]},
             "image 'platform/notebook:1@sha256:abc' is not platform/<image>:<tag>\\[@sha256:<digest>\\]"),
            ({"environments": [{"slug": "base", "image": "platform/notebook:1", "display_name": "B", "group": ["a"]}]},
             "unknown keys \\['group'\\]"),
            ({"environments": [{"slug": "base", "image": "platform/notebook:1", "display_name": "B", "previous": ["1"]}]},
             "previous names the current tag 1"),
            ({"environments": [{"slug": "a", "image": "platform/n:1", "display_name": "A"},
                               {"slug": "a", "image": "platform/m:1", "display_name": "A"}]}, "slug 'a' is used twice"),
        ]
        for document, message in cases:
            with self.subTest(message=message), self.assertRaisesRegex(EnvironmentsError, message):
                environments.load(document, "environments.yaml")


if __name__ == "__main__":
    unittest.main()
