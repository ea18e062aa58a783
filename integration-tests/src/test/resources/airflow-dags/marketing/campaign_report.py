"""The marketing team's own DAG: another team's Airflow never lists it."""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, task

with DAG("campaign_report", schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False):

    @task
    def report() -> None:
        print("campaigns reported")

    report()
