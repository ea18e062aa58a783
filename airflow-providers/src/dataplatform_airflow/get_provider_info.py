"""The ``apache_airflow_provider`` entry point: the provider's description, read from provider.yaml beside it."""

from __future__ import annotations

from pathlib import Path


def get_provider_info() -> dict:
    import yaml

    info = yaml.safe_load((Path(__file__).parent / "provider.yaml").read_text(encoding="utf-8"))
    info.pop("versions", None)
    return info
