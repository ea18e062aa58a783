"""A DAG file with an error: the dag-processor reports it with this file and the line."""

import pendulum
from airflow.sdk import DAG

with DAG("broken", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
    raise ValueError("this DAG file is broken on purpose")
