"""The dashboards as code: YAML in `superset/assets/`, imported into and exported from Superset.

One YAML per database, dataset, chart and dashboard, keyed by uuid, as Superset's own export
writes them; values that differ per environment are `{{placeholders}}` (the Trino host, port and
user), filled at import. The bundle is imported through `/api/v1/assets/import/`, which
overwrites the database, datasets and charts too (the dashboard importer leaves existing charts
as they were). An export is compared with the repository after `normalize`, which drops what
Superset adds or renames on its side (local ids, defaults, a timestamp).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import yaml

from lakehouse.assets import part_dir
from lakehouse.settings import Settings
from lakehouse.superset.api import SupersetApi
from lakehouse.templates import render

ROOT = "peloton_assets"
"""The bundle's single top folder (Superset strips the first component of every path)."""


def placeholders(settings: Settings) -> dict[str, str]:
    trino = settings.trino
    return {
        "trino_user": "bi",
        "trino_host": trino.host,
        "trino_port": str(trino.port),
        "gifs_url": settings.gifs.base_url,
    }


def assets_dir() -> Path:
    """The folder of the asset files, `assets/` among Superset's run-time files."""
    return part_dir("superset") / "assets"


def rendered(settings: Settings, folder: Path | None = None) -> dict[str, str]:
    """Every asset file's text with its placeholders filled, by path under the folder."""
    folder = folder or assets_dir()
    values = placeholders(settings)
    return {
        str(path.relative_to(folder)): render(path.read_text(encoding="utf-8"), values, str(path))
        for path in sorted(folder.rglob("*.yaml"))
    }


def bundle(settings: Settings, folder: Path | None = None) -> bytes:
    """The import ZIP: every rendered YAML under one top folder."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in rendered(settings, folder).items():
            archive.writestr(f"{ROOT}/{name}", text)
    return out.getvalue()


def import_assets(settings: Settings, api: SupersetApi) -> int:
    """Import (overwriting) every asset; the number of files imported."""
    data = bundle(settings)
    api.call(
        "POST",
        "/api/v1/assets/import/",
        files={"bundle": ("peloton.zip", data, "application/zip")},
        data={"passwords": "{}", "overwrite": "true"},
    )
    return len(rendered(settings))


def export_assets(api: SupersetApi) -> dict[tuple[str, str], dict[str, Any]]:
    """Superset's export of every asset, by (kind, uuid)."""
    response = api.call("GET", "/api/v1/assets/export/")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        texts = {
            name.split("/", 1)[1]: archive.read(name).decode()
            for name in archive.namelist()
            if name.endswith(".yaml")
        }
    return _by_uuid(texts)


def repository_assets(settings: Settings) -> dict[tuple[str, str], dict[str, Any]]:
    return _by_uuid(rendered(settings))


def _by_uuid(texts: dict[str, str]) -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for name, text in texts.items():
        doc = yaml.safe_load(text)
        kind = name.split("/")[0] if "/" in name else "metadata"
        found[(kind, str(doc.get("uuid", "metadata")))] = doc
    return found


def normalize(kind: str, doc: dict[str, Any]) -> dict[str, Any]:
    """What is left of an asset once Superset's local ids, defaults and renames are removed."""
    d: dict[str, Any] = json.loads(json.dumps(doc))
    if kind == "metadata":
        return {"version": d["version"]}
    d.pop("is_managed_externally", None)
    d.pop("external_url", None)
    if kind == "databases":
        d.setdefault("impersonate_user", False)
        d.setdefault("configuration_method", "sqlalchemy_form")
        if "allow_csv_upload" in d:
            d["allow_file_upload"] = d.pop("allow_csv_upload")
    elif kind == "charts":
        d["params"].pop("datasource", None)
        d["params"].setdefault("annotation_layers", [])
        if d.get("query_context"):
            context = json.loads(d["query_context"])
            context.pop("datasource", None)
            for query in context.get("queries", []):
                query.pop("datasource", None)
            context.get("form_data", {}).pop("datasource", None)
            d["query_context"] = context
    elif kind == "dashboards":
        # chart ids are local: a filter's excluded charts are compared by uuid
        uuids = {}
        for node in d.get("position", {}).values():
            if isinstance(node, dict) and node.get("type") == "CHART":
                uuids[node["meta"].pop("chartId", None)] = node["meta"].get("uuid")
        metadata = d.get("metadata", {})
        metadata.pop("positions", None)
        for native in metadata.get("native_filter_configuration", []):
            native.pop("chartsInScope", None)
            native.pop("tabsInScope", None)
            scope = native.get("scope", {})
            scope["excluded"] = sorted(
                uuids.get(i, f"unknown chart {i}") for i in scope.get("excluded", [])
            )
    elif kind == "datasets":
        d.pop("folders", None)
        d["columns"] = sorted(
            (
                {k: v for k, v in c.items() if v not in (None, "") and not (k == "is_active" and v)}
                for c in d.get("columns", [])
            ),
            key=lambda c: c["column_name"],
        )
        d["metrics"] = sorted(
            ({k: v for k, v in m.items() if v is not None} for m in d.get("metrics", [])),
            key=lambda m: m["metric_name"],
        )
    return {k: v for k, v in d.items() if v is not None}


def differences(
    repo: dict[tuple[str, str], dict[str, Any]], exported: dict[tuple[str, str], dict[str, Any]]
) -> list[str]:
    """Every difference between the repository's assets and an export, after normalizing."""
    found = []
    for key in sorted(set(repo) | set(exported)):
        if key not in exported or key not in repo:
            where = "the export" if key not in repo else "the repository"
            found.append(f"{key[0]} {key[1]}: only in {where}")
            continue
        a, b = normalize(key[0], repo[key]), normalize(key[0], exported[key])
        found += [f"{key[0]} {key[1]}: {line}" for line in _diff(a, b)]
    return found


def _diff(a: Any, b: Any, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            if k not in a:
                out.append(f"+ {path}{k}")
            elif k not in b:
                out.append(f"- {path}{k}")
            else:
                out += _diff(a[k], b[k], f"{path}{k}.")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            line
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for line in _diff(x, y, f"{path}{i}.")
        ]
    return (
        [] if a == b else [f"~ {path.rstrip('.')}: {json.dumps(a)[:100]} -> {json.dumps(b)[:100]}"]
    )
