"""Loads calls into the lakehouse: a light Python check beside the scheduler, then Spark in a pod of its own.

The Spark task's driver runs as the task's subprocess (the provider's SparkOperator); the table it writes becomes an
asset event, which starts calls_report.
"""

from __future__ import annotations

import socket

import pendulum
from airflow.sdk import DAG, task

from dataplatform_airflow.operators.spark import SparkOperator

SMALL = {
    "spark.executor.instances": "1",
    "spark.executor.memory": "512m",
    "spark.executor.cores": "1",
    "spark.sql.shuffle.partitions": "2",
}

with DAG("lakehouse_load", schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False, tags=["spark"]):

    @task
    def prepare() -> str:
        print(f"prepared on {socket.gethostname()}")
        return socket.gethostname()

    load = SparkOperator(
        task_id="load",
        executor="KubernetesExecutor",
        conf=SMALL,
        spark_args=["--driver-memory", "512m"],
        sql=[
            "CREATE NAMESPACE IF NOT EXISTS lakehouse.data_engineering",
            "CREATE TABLE IF NOT EXISTS lakehouse.data_engineering.airflow_calls (id BIGINT, msisdn STRING) USING iceberg",
            "INSERT INTO lakehouse.data_engineering.airflow_calls "
            "SELECT id, concat('3361234', id) FROM range(0, 5000) DISTRIBUTE BY id % 4",
        ],
    )

    prepare() >> load
