"""PySpark on the platform's Spark, from a notebook: ``spark_session()``.

The driver runs in the notebook's pod, started by the Spark image's launcher in client mode (its ``submit`` role with
``pyspark-shell``: the driver JVM with PySpark's gateway, advertising the pod's IP; executors are pods of the server's
namespace from the pinned Spark image, labelled with and owned by the notebook's pod, so they go when it goes; the
lakehouse catalog from the shared ``lakehouse`` variables; the user's Kerberos ticket or keytab as the identity).
PySpark then joins that gateway (PYSPARK_GATEWAY_PORT and _SECRET) instead of running Spark's shell scripts, which
the image does not have. The driver JVM reads its stdin until the kernel goes: a restarted or dead kernel takes its
driver and executors with it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from dataplatform_notebook.errors import ConnectorError

ENTRYPOINT_VARIABLE = "PLATFORM_SPARK_ENTRYPOINT"

#: What the driver's log says when it cannot do its work, and the sentence the user gets instead.
DIAGNOSES = [
    (re.compile(r"exceeded quota|forbidden: exceeded", re.IGNORECASE),
     "your namespace's quota is exhausted: Kubernetes refuses the executor pods ({line}). Stop Spark in your other "
     "notebooks (stop_spark()) or ask for fewer executors"),
    (re.compile(r"Client not found in Kerberos database|Unable to obtain password|No valid credentials provided|"
                r"Failed to find any Kerberos tgt|GSS initiate failed", re.IGNORECASE),
     "Spark has no valid Kerberos ticket to read the lakehouse with ({line}): run kinit in a terminal"),
    (re.compile(r"is forbidden: User \"[^\"]+\" cannot", re.IGNORECASE),
     "this server's service account may not create executor pods ({line}): ask the platform team"),
]


def entrypoint(environment: Mapping[str, str]) -> list[str]:
    value = environment.get(ENTRYPOINT_VARIABLE, "")
    if not value:
        raise ConnectorError(f"{ENTRYPOINT_VARIABLE} is not set: this image holds no Spark driver. Pick a platform "
                             "notebook environment in the hub")
    try:
        command = json.loads(value)
    except ValueError:
        command = None
    if not isinstance(command, list) or not command or not all(isinstance(part, str) for part in command):
        raise ConnectorError(f"{ENTRYPOINT_VARIABLE} is not a JSON list of strings: {value}")
    return command


def problems(environment: Mapping[str, str], has_ticket) -> list[str]:
    """Everything missing for a driver here, each as a sentence (all at once)."""
    found = []
    try:
        entrypoint(environment)
    except ConnectorError as error:
        found.append(str(error))
    if not environment.get("SPARK_MASTER_URL", "").strip():
        found.append("SPARK_MASTER_URL is not set: the hub gives your server no Spark cluster (ask the platform team)")
    if environment.get("KERBEROS_REALM", "").strip():
        keytab = environment.get("KERBEROS_KEYTAB", "").strip()
        if environment.get("KERBEROS_PRINCIPAL", "").strip() and keytab:
            if not os.path.isfile(keytab):
                found.append(f"the keytab {keytab} (KERBEROS_KEYTAB) does not exist")
        elif not has_ticket():
            realm = environment["KERBEROS_REALM"].strip()
            user = environment.get("JUPYTERHUB_USER", "you")
            found.append(f"you have no Kerberos ticket, and Spark reads the lakehouse as you: run "
                         f"`kinit {user}@{realm}` in a terminal (or set KERBEROS_PRINCIPAL and KERBEROS_KEYTAB)")
    return found


def _has_ticket() -> bool:
    klist = shutil.which("klist")
    return klist is not None and subprocess.run([klist, "-s"], check=False).returncode == 0


def diagnose(log_lines: list[str]) -> str | None:
    """The sentence for the first known failure in the driver's log, if any."""
    for line in log_lines:
        for pattern, sentence in DIAGNOSES:
            if pattern.search(line):
                return sentence.format(line=line.strip()[:300])
    return None


def _log_path(environment: Mapping[str, str]) -> Path:
    return Path(environment.get("HOME", "/tmp")) / ".spark" / "driver.log"


def _tail(path: Path, lines: int = 400) -> list[str]:
    try:
        return path.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return []


class Driver:
    """This kernel's driver: the JVM (its stdin held open) and the gateway PySpark joins."""

    def __init__(self, process: subprocess.Popen, port: int, secret: str, log: Path):
        self.process = process
        self.port = port
        self.secret = secret
        self.log = log

    def running(self) -> bool:
        return self.process.poll() is None


_driver: Driver | None = None


def read_connection_info(path: Path) -> tuple[int, str]:
    """PySpark's gateway file: the port (a big-endian int), the secret's length and its UTF-8 bytes."""
    data = path.read_bytes()
    port, length = struct.unpack(">ii", data[:8])
    return port, data[8:8 + length].decode("utf-8")


def start_driver(environment: Mapping[str, str] | None = None, timeout: float = 180.0,
                 has_ticket=_has_ticket, executors: int = 2) -> Driver:
    """Starts this kernel's Spark driver with PySpark's gateway; returns once the gateway listens."""
    environment = dict(os.environ if environment is None else environment)
    found = problems(environment, has_ticket)
    if isinstance(executors, bool) or not isinstance(executors, int) or executors < 1:
        found.append(f"executors={executors!r}: ask for a whole number of executors, 1 or more")
    if found:
        raise ConnectorError("no Spark here: " + "; ".join(found))
    log = _log_path(environment)
    log.parent.mkdir(parents=True, exist_ok=True)
    connection = Path(tempfile.mkdtemp(prefix="gateway-", dir=log.parent)) / "connection"
    environment["_PYSPARK_DRIVER_CONN_INFO_PATH"] = str(connection)
    user = environment.get("JUPYTERHUB_USER", "notebook")
    command = entrypoint(environment) + [
        "submit", "--name", f"notebook-{user}", "--conf", f"spark.executor.instances={executors}", "pyspark-shell"]
    with open(log, "ab") as output:
        output.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(command)}\n".encode())
        output.flush()
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=output, stderr=subprocess.STDOUT,
                                   env=environment, start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if connection.is_file() and connection.stat().st_size >= 8:
            port, secret = read_connection_info(connection)
            shutil.rmtree(connection.parent, ignore_errors=True)
            return Driver(process, port, secret, log)
        if process.poll() is not None:
            shutil.rmtree(connection.parent, ignore_errors=True)
            lines = _tail(log)
            reason = diagnose(lines) or "its log ends with:\n  " + "\n  ".join(lines[-15:])
            raise ConnectorError(f"the Spark driver stopped at start (exit {process.returncode}): {reason} "
                                 f"(whole log: {log})")
        time.sleep(0.2)
    reason = diagnose(_tail(log))
    process.kill()
    shutil.rmtree(connection.parent, ignore_errors=True)
    raise ConnectorError(f"the Spark driver did not start within {timeout:.0f} s"
                         + (f": {reason}" if reason else f"; see {log}"))


def executor_count(session) -> int:
    """How many executors the session's driver has now, not counting itself."""
    return max(0, session.sparkContext._jsc.sc().getExecutorMemoryStatus().size() - 1)


def wait_for_executors(count: int, timeout: float, counter, environment: Mapping[str, str] | None = None) -> None:
    """Returns once ``counter()`` reaches ``count``; says why not (quota, Kerberos) when executors do not come."""
    environment = os.environ if environment is None else environment
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if counter() >= count:
            return
        reason = diagnose(_tail(_log_path(environment), 200))
        if reason:
            raise ConnectorError(reason)
        time.sleep(1)
    raise ConnectorError(f"Spark got fewer than {count} executors within {timeout:.0f} s: the cluster may be full "
                         f"(see {_log_path(environment)})")


def spark_session(executors: int = 2, executors_ready: int = 1, timeout: float = 300.0):
    """A PySpark session on the platform's Spark, as the user, with ``executors`` executor pods in your namespace
    (they count against its quota with your servers and your other notebooks' executors: ask for what the work needs);
    waits for ``executors_ready`` of them (0: don't)."""
    global _driver
    from pyspark.sql import SparkSession

    if _driver is not None and _driver.running():
        active = SparkSession.getActiveSession()
        if active is not None:
            return active
    started = time.monotonic()
    _driver = start_driver(timeout=timeout, executors=executors)
    os.environ["PYSPARK_GATEWAY_PORT"] = str(_driver.port)
    os.environ["PYSPARK_GATEWAY_SECRET"] = _driver.secret
    session = SparkSession.builder.getOrCreate()
    if executors_ready > 0:
        wait_for_executors(executors_ready, max(1.0, timeout - (time.monotonic() - started)),
                           lambda: executor_count(session))
    return session


def stop_spark(grace: float = 30.0) -> bool:
    """Stops this kernel's Spark session and driver (its executor pods with it); False if none ran."""
    global _driver
    if _driver is None:
        return False
    driver, _driver = _driver, None
    try:
        from pyspark import SparkContext

        if SparkContext._active_spark_context is not None:
            SparkContext._active_spark_context.stop()
        if SparkContext._gateway is not None:
            SparkContext._gateway.shutdown()
        SparkContext._gateway = None
        SparkContext._jvm = None
    except Exception:  # noqa: BLE001 - the driver is stopped below either way
        pass
    for name in ("PYSPARK_GATEWAY_PORT", "PYSPARK_GATEWAY_SECRET"):
        os.environ.pop(name, None)
    if driver.process.stdin:
        driver.process.stdin.close()  # the gateway's end of input: the driver exits
    try:
        driver.process.wait(grace)
    except subprocess.TimeoutExpired:
        driver.process.terminate()
        try:
            driver.process.wait(grace)
        except subprocess.TimeoutExpired:
            driver.process.kill()
    return True
