"""The data platform's Airflow provider: Spark drivers as task subprocesses, Spark lineage as Airflow asset events."""
