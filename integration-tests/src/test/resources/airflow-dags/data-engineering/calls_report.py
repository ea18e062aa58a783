"""Runs when a Spark task has written lakehouse.data_engineering.airflow_calls (data-aware scheduling)."""

from __future__ import annotations

import pendulum
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

    report()
