"""Lakehouse tables as Airflow assets, and the lineage records a Spark driver prints.

A table ``catalog.schema.table`` is the asset named so, with the URI ``lakehouse://catalog/schema/table``. The
platform's Spark image prints one ``[lineage] {...}`` line per statement (its LineageListener), naming the tables
the statement read and wrote; :func:`written_tables` turns such a line into the tables a successful one wrote.
"""

from __future__ import annotations

import json
import re
from urllib.parse import SplitResult

SCHEME = "lakehouse"
LINEAGE_PREFIX = "[lineage] "
_PART = r"[A-Za-z_][A-Za-z0-9_]*"
_TABLE = re.compile(rf"({_PART})\.({_PART})\.({_PART})")


def table_uri(table: str) -> str:
    """``catalog.schema.table`` → ``lakehouse://catalog/schema/table`` (ValueError for any other shape)."""
    match = _TABLE.fullmatch(table)
    if not match:
        raise ValueError(f"'{table}' is not a lakehouse table: expected catalog.schema.table")
    return f"{SCHEME}://{match.group(1)}/{match.group(2)}/{match.group(3)}".lower()


def table(name: str):
    """The Airflow asset of a lakehouse table, for ``schedule=[table("lakehouse.telco.calls")]``."""
    from airflow.sdk import Asset

    return Asset(name=name.lower(), uri=table_uri(name), group="lakehouse")


def sanitize_uri(uri: SplitResult) -> SplitResult:
    """The ``lakehouse`` scheme's check (provider.yaml, asset-uris): catalog as host, then schema and table."""
    parts = [part for part in uri.path.split("/") if part]
    if not uri.netloc or len(parts) != 2:
        raise ValueError(f"{uri.geturl()}: a lakehouse URI is lakehouse://catalog/schema/table")
    return uri._replace(netloc=uri.netloc.lower(), path="/" + "/".join(parts).lower())


def lineage_record(line: str) -> dict | None:
    """The lineage record a driver's output line carries, or None for any other line (a malformed one included)."""
    if not line.startswith(LINEAGE_PREFIX):
        return None
    try:
        record = json.loads(line[len(LINEAGE_PREFIX):])
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def written_tables(record: dict) -> list[str]:
    """The lakehouse tables a succeeded statement wrote (nothing for a failed one, nor for names of another shape)."""
    if record.get("status") != "SUCCEEDED":
        return []
    outputs = record.get("outputs") or []
    return [output for output in outputs if isinstance(output, str) and _TABLE.fullmatch(output)]
