"""Who may use a team's Airflow, and the signed state of a login in progress.

The flow against the real identity provider (the platform realm in Keycloak: redirect, login form, code exchange, ID
token checks) and the auth manager inside Airflow are exercised by AirflowOnKubernetesIT.
"""

import unittest

from dataplatform_airflow.login import USER, VIEWER, Access, LoginFailed, LoginState


class AccessTest(unittest.TestCase):
    access = Access.parse("team-data-engineering, platform-admins", "analysts")

    def test_the_widest_role_of_the_users_groups(self):
        self.assertEqual(USER, self.access.role(["analysts", "team-data-engineering"]))
        self.assertEqual(USER, self.access.role(["platform-admins"]))
        self.assertEqual(VIEWER, self.access.role(["analysts", "region-north"]))

    def test_no_listed_group_is_no_role_and_the_refusal_says_which_groups_would_do(self):
        self.assertIsNone(self.access.role(["team-marketing"]))
        self.assertIsNone(self.access.role(None))
        self.assertEqual("alice may not use this Airflow: it is for the groups team-data-engineering, platform-admins, "
                         "analysts; alice's groups: team-marketing", self.access.refusal("alice", ["team-marketing"]))
        self.assertTrue(self.access.refusal("erin", []).endswith("erin's groups: none"))

    def test_viewers_only_read(self):
        self.assertTrue(Access.allows(VIEWER, "GET"))
        for method in ("POST", "PUT", "DELETE", "MENU"):
            self.assertFalse(Access.allows(VIEWER, method), method)
            self.assertTrue(Access.allows(USER, method), method)
        self.assertFalse(Access.allows("someone", "GET"))

    def test_an_airflow_for_nobody_is_a_configuration_error(self):
        with self.assertRaisesRegex(ValueError, "no group may use this Airflow: user_groups is empty"):
            Access.parse(" , ", "analysts")


class LoginStateTest(unittest.TestCase):
    def setUp(self):
        self.now = 1_000_000
        self.state = LoginState("secret-key", lifetime=600, clock=lambda: self.now)

    def test_the_cookie_gives_back_the_nonce_and_the_page_of_its_own_state(self):
        state, nonce, cookie = self.state.issue("/dags/calls_report")
        self.assertEqual((nonce, "/dags/calls_report"), self.state.check(cookie, state))
        other_state, other_nonce, _ = self.state.issue(None)
        self.assertNotEqual((state, nonce), (other_state, other_nonce))

    def test_another_logins_state_is_refused(self):
        _, _, cookie = self.state.issue(None)
        other_state, _, _ = self.state.issue(None)
        with self.assertRaisesRegex(LoginFailed, "another login's state"):
            self.state.check(cookie, other_state)

    def test_a_cookie_not_signed_with_this_airflows_key_is_refused(self):
        state, _, cookie = LoginState("another-key", clock=lambda: self.now).issue(None)
        with self.assertRaisesRegex(LoginFailed, "not issued by this Airflow"):
            self.state.check(cookie, state)
        body, signature = self.state.issue("/")[2].rsplit(".", 1)
        with self.assertRaisesRegex(LoginFailed, "not issued by this Airflow"):
            self.state.check(body[:-2] + "xx." + signature, state)

    def test_a_missing_or_stale_login_is_refused(self):
        with self.assertRaisesRegex(LoginFailed, "no login in progress"):
            self.state.check(None, "state")
        state, _, cookie = self.state.issue(None)
        self.now += 601
        with self.assertRaisesRegex(LoginFailed, "longer than 600 s"):
            self.state.check(cookie, state)

    def test_a_secret_key_is_required(self):
        with self.assertRaisesRegex(ValueError, r"\[api\] secret_key"):
            LoginState("")


if __name__ == "__main__":
    unittest.main()
