"""Runs when a Spark task has written lakehouse.data_engineering.airflow_calls (data-aware scheduling), then counts
the table in Trino as the team's principal (the team Airflow's connection "trino": our provider's Kerberos login)."""

from __future__ import annotations

import pendulum
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.sdk import DAG, task

from dataplatform_airflow.assets import table

with DAG(
    "calls_report",
    schedule=[table("lakehouse.data_engineering.airflow_calls")],
    start_date=pendulum.datetime(2026, 1, 1),
    catchup=False,
):

    @task
    def report(**context) -> None:
        for asset, events in context["triggering_asset_events"].items():
            for event in events:
                print(f"report after {asset}: {event.extra}")

    count = SQLExecuteQueryOperator(
        task_id="count_in_trino",
        conn_id="trino",
        # (Trino cannot aggregate beside current_user: the count is a subquery.)
        sql="SELECT current_user, (SELECT count(*) FROM lakehouse.data_engineering.airflow_calls)",
        show_return_value_in_logs=True,
    )

    report() >> count
