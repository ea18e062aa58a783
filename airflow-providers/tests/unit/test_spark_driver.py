"""The driver subprocess: streamed output, its status, and a kill that leaves no process of its group behind."""

import os
import signal
import sys
import threading
import time
import unittest

from dataplatform_airflow.hooks.spark_driver import SparkDriver, SparkDriverError, spark_entrypoint

# Stands in for the launcher's driver: a child in the same process group, like the supervised driver JVM.
FAMILY = """
import os, signal, subprocess, sys, time
if sys.argv[1] == "ignore-term":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen([sys.executable, "-c",
    "import signal, sys, time\\n"
    "if sys.argv[1] == 'ignore-term': signal.signal(signal.SIGTERM, signal.SIG_IGN)\\n"
    "time.sleep(300)", sys.argv[1]])
print(f"child {child.pid}", flush=True)
time.sleep(300)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) is gone for our purpose.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ")[1][0] != "Z"


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


class TestSparkDriver(unittest.TestCase):
    def test_each_line_arrives_while_the_driver_still_runs_and_its_status_is_returned(self):
        lines, running = [], []
        driver = None

        def on_line(line):
            lines.append(line)
            running.append(driver._process.poll() is None)

        script = "import sys, time\nprint('[spark] job 1 started', flush=True)\ntime.sleep(1)\n" \
                 "print('to stderr', file=sys.stderr, flush=True)\nsys.exit(3)"
        driver = SparkDriver([sys.executable, "-c", script], on_line=on_line)
        self.assertEqual(driver.run(), 3)
        self.assertEqual(lines, ["[spark] job 1 started", "to stderr"])
        self.assertTrue(running[0], "the first line was handed over only after the driver ended")

    def test_the_driver_leads_a_process_group_of_its_own(self):
        groups = []
        driver = SparkDriver([sys.executable, "-c", "import os; print(os.getpgid(0), os.getpid())"],
                             on_line=lambda line: groups.append(line.split()))
        self.assertEqual(driver.run(), 0)
        group, pid = groups[0]
        self.assertEqual(group, pid)
        self.assertNotEqual(int(group), os.getpgid(0))

    def _start(self, mode: str, grace: float):
        children = []
        started = threading.Event()

        def on_line(line):
            if line.startswith("child "):
                children.append(int(line.split()[1]))
                started.set()

        driver = SparkDriver([sys.executable, "-c", FAMILY, mode], on_line=on_line, kill_grace=grace)
        result = {}
        thread = threading.Thread(target=lambda: result.setdefault("status", driver.run()))
        thread.start()
        self.assertTrue(started.wait(20), "the driver did not start its child")
        return driver, children[0], thread, result

    def test_kill_terminates_the_whole_group(self):
        driver, child, thread, result = self._start("obey", grace=20)
        driver.kill()
        thread.join(20)
        self.assertEqual(result["status"], -signal.SIGTERM)
        self.assertTrue(wait_until(lambda: not alive(child), 5), "the driver's child outlived the kill")
        self.assertTrue(driver.killed)

    def test_what_ignores_term_is_killed_after_the_grace_period_even_if_nobody_waits(self):
        driver, child, thread, result = self._start("ignore-term", grace=1)
        driver.kill()
        thread.join(20)
        self.assertEqual(result["status"], -signal.SIGKILL)
        # The watchdog, not this process, killed the child: it outlives the task process it was started from.
        self.assertTrue(wait_until(lambda: not alive(child), 10), "a TERM-ignoring child outlived the grace period")

    def test_a_driver_that_cannot_start_is_named(self):
        driver = SparkDriver(["/nonexistent/java", "submit"], on_line=print)
        with self.assertRaisesRegex(SparkDriverError, "cannot start /nonexistent/java: No such file or directory"):
            driver.run()

    def test_the_entrypoint_comes_from_the_task_image(self):
        self.assertEqual(spark_entrypoint({"PLATFORM_SPARK_ENTRYPOINT": '["java", "-cp", "x", "Main"]'}),
                         ["java", "-cp", "x", "Main"])
        with self.assertRaisesRegex(SparkDriverError, "PLATFORM_SPARK_ENTRYPOINT is not set: this image holds no "
                                                      "Spark client"):
            spark_entrypoint({})
        with self.assertRaisesRegex(SparkDriverError, "not a JSON list of strings"):
            spark_entrypoint({"PLATFORM_SPARK_ENTRYPOINT": '{"java": 1}'})


if __name__ == "__main__":
    unittest.main()
