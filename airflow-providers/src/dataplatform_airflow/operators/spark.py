"""Runs a Spark application or SQL in client mode as a subprocess of the task (see the hook), and turns the tables
it writes into asset events.

In the platform's Spark task image the driver is the Spark image's entrypoint (``submit`` or ``sql``); in the task's
Kubernetes pod its executors are pods of the team's namespace, owned by the task's pod, and reach the driver at the
pod's address. Each lineage record of a succeeded statement that wrote a lakehouse table becomes an event of that
table's asset (:func:`dataplatform_airflow.assets.table`) through the alias the operator declares as its outlet, so
a DAG with ``schedule=[table("lakehouse.telco.daily")]`` runs when a Spark task has written it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow.sdk import AssetAlias, BaseOperator
from airflow.sdk.exceptions import AirflowException, AirflowFailException

from dataplatform_airflow.assets import lineage_record, table, written_tables
from dataplatform_airflow.hooks.spark_driver import SparkDriver, SparkDriverError, spark_entrypoint

#: The alias every Spark task's table writes are emitted through.
LAKEHOUSE_WRITES = "lakehouse-writes"
#: The launcher's status for settings it refused (nothing started): retrying cannot help.
REFUSED = 2


class SparkOperator(BaseOperator):
    """
    A Spark driver in client mode, run by the platform's Spark launcher as this task's subprocess.

    :param application: the application (a jar or a Python file) for ``submit``; or
    :param sql: statements (each a string; ``-e``) for the launcher's ``sql`` role.
    :param application_args: the application's arguments.
    :param conf: Spark settings (``--conf key=value``).
    :param name: the application's name (default: the DAG's and the task's id).
    :param spark_args: further spark-submit options (e.g. ``["--class", "com.example.Job"]``).
    :param kill_grace: seconds between TERM and KILL to the driver's process group when the task is killed.
    """

    template_fields: Sequence[str] = ("application", "sql", "application_args", "conf", "name")
    ui_color = "#e8f1fb"

    def __init__(
        self,
        *,
        application: str | None = None,
        sql: str | Sequence[str] | None = None,
        application_args: Sequence[str] = (),
        conf: Mapping[str, Any] | None = None,
        name: str | None = None,
        spark_args: Sequence[str] = (),
        kill_grace: float = 30.0,
        **kwargs: Any,
    ):
        kwargs.setdefault("outlets", [AssetAlias(LAKEHOUSE_WRITES)])
        super().__init__(**kwargs)
        if (application is None) == (sql is None):
            raise ValueError(f"{self.task_id}: give either application or sql")
        self.application = application
        self.sql = sql
        self.application_args = list(application_args)
        self.conf = dict(conf or {})
        self.name = name
        self.spark_args = list(spark_args)
        self.kill_grace = kill_grace
        self._driver: SparkDriver | None = None
        self.tables_written: list[str] = []

    def command(self, entrypoint: Sequence[str]) -> list[str]:
        """The driver's command line, after the Spark image's entrypoint."""
        name = self.name or f"{self.dag_id}.{self.task_id}"
        options = ["--name", name]
        for key, value in sorted(self.conf.items()):
            options += ["--conf", f"{key}={value}"]
        options += self.spark_args
        if self.sql is not None:
            statements = [self.sql] if isinstance(self.sql, str) else list(self.sql)
            return [*entrypoint, "sql", *options, *(part for each in statements for part in ("-e", each))]
        return [*entrypoint, "submit", *options, self.application, *self.application_args]

    def execute(self, context):
        try:
            command = self.command(spark_entrypoint())
        except SparkDriverError as error:
            raise AirflowFailException(str(error)) from error
        alias = next((outlet for outlet in self.outlets if isinstance(outlet, AssetAlias)), None)
        events = context["outlet_events"]

        def on_line(line: str) -> None:
            self.log.info("%s", line)
            record = lineage_record(line)
            if record is None:
                return
            for written in written_tables(record):
                if written not in self.tables_written:
                    self.tables_written.append(written)
                if alias is not None:
                    events[alias].add(table(written), extra={
                        "application": record.get("application"),
                        "rowsWritten": record.get("rowsWritten"),
                        "operation": record.get("operation"),
                    })

        self._driver = SparkDriver(command, on_line=on_line, kill_grace=self.kill_grace)
        self.log.info("Spark driver: %s", " ".join(command[command.index("submit" if self.sql is None else "sql"):]))
        status = self._driver.run()
        if self._driver.killed:
            raise AirflowException(f"the Spark driver was stopped with the task (status {status})")
        if status == REFUSED:
            raise AirflowFailException("the Spark launcher refused the driver's settings (status 2); see the log")
        if status != 0:
            raise AirflowException(f"the Spark driver exited with status {status}")
        return self.tables_written

    def on_kill(self) -> None:
        if self._driver is not None:
            self.log.info("Stopping the Spark driver's process group %s", self._driver.pid)
            self._driver.kill()
