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

    def test_a_malformed_file_says_what_and_where(self):
        cases = [
            ({}, "expected a list 'environments:'"),
            ({"environments": [{"slug": "Base!", "image": "platform/notebook:1", "display_name": "B"}]},
             "environment 1: slug 'Base!'"),
            ({"environments": [{"slug": "base", "image": "docker.io/evil:1", "display_name": "B"}]},
             "environment 'base': image 'docker.io/evil:1' is not platform/<image>:<tag>"),
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
