"""The marketing team's tasks reading data-engineering's table in Trino: the platform's policies refuse its principal."""

from __future__ import annotations

import pendulum
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.sdk import DAG

with DAG("peek_at_data_engineering", schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False):
    SQLExecuteQueryOperator(
        task_id="peek",
        conn_id="trino",
        sql="SELECT count(*) FROM lakehouse.data_engineering.airflow_calls",
        retries=0,
    )
