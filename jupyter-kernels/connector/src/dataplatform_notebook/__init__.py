"""The platform's connectors for notebooks: Trino as the logged-in user, PySpark on the platform's Spark.

``%sql`` / ``%%sql`` (jupysql) is connected to the platform's Trino when the extension loads (the images load it in
every IPython kernel: /etc/ipython/ipython_config.py); ``trino_query(sql)`` gives a pandas DataFrame;
``spark_session()`` gives a PySpark session whose driver runs in this server's pod and whose executors are pods in
the user's namespace. Each raises :class:`ConnectorError` saying what is missing, not a stack trace.
"""

from dataplatform_notebook.errors import ConnectorError
from dataplatform_notebook.spark import spark_session, stop_spark
from dataplatform_notebook.trino import trino_query, trino_engine

__all__ = ["ConnectorError", "spark_session", "stop_spark", "trino_query", "trino_engine",
           "load_ipython_extension"]


def load_ipython_extension(ipython):
    """Connects jupysql's ``%sql`` to the platform's Trino, as the logged-in user (``%load_ext dataplatform_notebook``)."""
    from dataplatform_notebook.magics import connect_sql_magic

    connect_sql_magic(ipython)
