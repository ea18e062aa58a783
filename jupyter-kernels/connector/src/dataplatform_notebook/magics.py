"""``%sql`` / ``%%sql`` (jupysql) on the platform's Trino, as the logged-in user."""

from __future__ import annotations

from dataplatform_notebook.errors import ConnectorError
from dataplatform_notebook.trino import explain, trino_engine, trino_where

#: The name of the engine in the user's namespace, and of the connection in ``%sql --connections``.
ENGINE_VARIABLE = "trino_engine_"


def connect_sql_magic(ipython) -> bool:
    """Loads jupysql and makes the platform's Trino its connection; False (and a note) outside the platform."""
    try:
        engine = trino_engine()
    except ConnectorError as error:
        print(f"%sql is not connected to Trino: {error}")
        return False
    ipython.run_line_magic("load_ext", "sql")
    ipython.user_ns[ENGINE_VARIABLE] = engine
    # Rows as DataFrames; no row-count chatter; the result of a cell limited like Trino's own clients.
    ipython.run_line_magic("config", "SqlMagic.autopandas = True")
    ipython.run_line_magic("config", "SqlMagic.displaycon = False")
    ipython.run_line_magic("config", "SqlMagic.feedback = 0")
    try:
        # jupysql asks the server for its version as it connects: the first request to Trino, as the user.
        ipython.run_line_magic("sql", f"{ENGINE_VARIABLE} --alias trino")
    except Exception as error:  # noqa: BLE001 - a kernel starts anyway, with the reason in one sentence
        print(f"%sql is not connected to Trino: {explain(error, trino_where())}")
        return False
    return True
