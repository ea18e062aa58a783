"""A Spark driver as a subprocess: its own process group, every output line handed over as it comes, and a kill
that leaves nothing behind.

The upstream SparkSubmitHook kills one process (spark-submit) in client mode; the driver JVM and the executors it
asked Kubernetes for live on. Here the driver is the leader of a new process group: :meth:`SparkDriver.kill` sends
TERM to the whole group — the platform's Spark launcher then stops the application and deletes its executor pods —
and KILL to whatever is left after the grace period. The KILL comes from a small watchdog process of its own, so it
happens even when Airflow kills the task process before the grace period is over.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence

#: The Spark image's entrypoint (a JSON list: the JVM and its arguments), set in the image that runs Spark tasks.
ENTRYPOINT_VARIABLE = "PLATFORM_SPARK_ENTRYPOINT"

_WATCHDOG = """
import os, signal, sys, time
group, deadline = int(sys.argv[1]), time.monotonic() + float(sys.argv[2])
while time.monotonic() < deadline:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        sys.exit(0)
    time.sleep(0.2)
try:
    os.killpg(group, signal.SIGKILL)
    print(f"watchdog: process group {group} killed after the grace period", file=sys.stderr)
except ProcessLookupError:
    pass
"""


class SparkDriverError(Exception):
    """The driver cannot be started here (no Spark in this image, a bad command)."""


def spark_entrypoint(environment: Mapping[str, str] | None = None) -> list[str]:
    """The Spark image's entrypoint in this image, from PLATFORM_SPARK_ENTRYPOINT."""
    environment = os.environ if environment is None else environment
    value = environment.get(ENTRYPOINT_VARIABLE)
    if not value:
        raise SparkDriverError(
            f"{ENTRYPOINT_VARIABLE} is not set: this image holds no Spark client. Spark tasks run in the platform's "
            "Spark task image (executor='KubernetesExecutor')"
        )
    try:
        command = json.loads(value)
    except ValueError as error:
        raise SparkDriverError(f"{ENTRYPOINT_VARIABLE} is not a JSON list: {error}") from error
    if not isinstance(command, list) or not command or not all(isinstance(part, str) for part in command):
        raise SparkDriverError(f"{ENTRYPOINT_VARIABLE} is not a JSON list of strings: {value}")
    return command


class SparkDriver:
    """One run of ``command`` (a driver, e.g. the Spark image's ``submit``) as the leader of a new process group."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        on_line: Callable[[str], None],
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        kill_grace: float = 30.0,
    ):
        if not command:
            raise SparkDriverError("no command to run")
        self.command = list(command)
        self.on_line = on_line
        self.env = dict(os.environ if env is None else env)
        self.cwd = cwd
        self.kill_grace = kill_grace
        self._process: subprocess.Popen | None = None
        self._watchdog: subprocess.Popen | None = None
        self.killed = False

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def run(self) -> int:
        """Starts the driver, hands over each line of its output (stderr included) as it comes; returns its status
        (negative: the signal that ended it)."""
        try:
            self._process = subprocess.Popen(
                self.command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=self.env,
                cwd=self.cwd,
            )
        except OSError as error:
            raise SparkDriverError(f"cannot start {self.command[0]}: {error.strerror}") from error
        assert self._process.stdout is not None
        with self._process.stdout:
            for raw in iter(self._process.stdout.readline, b""):
                self.on_line(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
        return self._process.wait()

    def kill(self) -> None:
        """TERM to the driver's process group now, KILL to what is left of it after ``kill_grace`` seconds."""
        process = self._process
        if process is None or process.poll() is not None and not _group_alive(process.pid):
            return
        self.killed = True
        group = process.pid
        try:
            os.killpg(group, signal.SIGTERM)
        except ProcessLookupError:
            return
        # The watchdog outlives this process if Airflow kills it before the grace period is over.
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, str(group), str(self.kill_grace)],
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            process.wait(timeout=self.kill_grace)
        except subprocess.TimeoutExpired:
            pass


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
        return True
    except ProcessLookupError:
        return False
