"""A Spark job that runs until it is stopped: the tests kill it (mark the task failed, delete its pod)."""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG

from dataplatform_airflow.operators.spark import SparkOperator

with DAG("long_spark", schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False, max_active_runs=1):
    SparkOperator(
        task_id="crunch",
        executor="KubernetesExecutor",
        conf={"spark.executor.instances": "1", "spark.executor.memory": "512m", "spark.executor.cores": "1"},
        spark_args=["--driver-memory", "512m"],
        sql="SELECT count(*) FROM range(0, 1000000000000)",
        kill_grace=20,
        retries=0,
    )
