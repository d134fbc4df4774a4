"""The config module's computed values against the local platform's own sources.

The module is applied offline (no provider) through a root that calls it; its deployments are
compared with prefect.yaml as it is now, and its Trino catalogs with the files the local
server's renderer (lakehouse/trino/config.py) writes for the same settings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from terraform_files import REPO

from lakehouse.settings import Settings
from lakehouse.trino.config import Layout, write_config


def _prefect_yaml() -> dict[str, Any]:
    return yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))


def test_deployments_and_schedules_equal_prefect_yaml(config: dict[str, Any]) -> None:
    deployments = _prefect_yaml()["deployments"]
    assert set(config["deployments"]) == {d["name"] for d in deployments}
    expected_schedules = {}
    for d in deployments:
        ours = config["deployments"][d["name"]]
        module, function = d["entrypoint"].split(":")
        assert ours["entrypoint"] == module.removesuffix(".py").replace("/", ".") + ":" + function
        assert ours["flow_name"] == function
        assert ours["parameters"] == d.get("parameters", {})
        assert ours["description"] == d.get("description", "")
        assert ours["work_queue"] == d["work_pool"].get("work_queue_name", "default")
        for i, s in enumerate(d.get("schedules") or []):
            expected_schedules[f"{d['name']}/{i}"] = {
                "deployment": d["name"],
                "cron": s["cron"],
                "timezone": s.get("timezone", "UTC"),
                "active": s.get("active", True),
            }
    assert config["schedules"] == expected_schedules
    assert expected_schedules, "prefect.yaml has no schedule to compare"


def test_flow_names_are_the_flows_names_in_code(config: dict[str, Any]) -> None:
    for d in config["deployments"].values():
        module, function = d["entrypoint"].split(":")
        source = (REPO / (module.replace(".", "/") + ".py")).read_text(encoding="utf-8")
        assert f'@flow(name="{d["flow_name"]}"' in source and f"def {function}(" in source


def _local_catalogs(config: dict[str, Any], home: Path) -> dict[str, str]:
    """The catalog files the local server writes, for the settings the cloud gives flow runs."""
    variables, roles, databases = config["_variables"], config["roles"], config["databases"]
    host = variables["postgres_host"]
    env = config["settings_env"]
    settings = Settings(
        home=home,
        catalog={
            "kind": "sql",
            "name": env["PELOTON_CATALOG__NAME"],
            "uri": f"postgresql://{roles['catalog']}:pw@{host}:5432/{databases['catalog']}?sslmode=require",
        },
        source={
            "url": f"postgresql://{roles['admin']}:pw@{host}:5432/{databases['source']}?sslmode=require",
            "reader_url": f"postgresql://{roles['reader']}:pw@{host}:5432/{databases['source']}?sslmode=require",
        },
        storage={
            "warehouse": env["PELOTON_STORAGE__WAREHOUSE"],
            "s3_endpoint": env.get("PELOTON_STORAGE__S3_ENDPOINT"),
            "s3_region": env["PELOTON_STORAGE__S3_REGION"],
        },
    )
    layout = Layout(home / "trino")
    write_config(settings, layout)
    folder = layout.etc_dir / "catalog"
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.properties"))}


def test_trino_catalogs_equal_the_local_servers(config: dict[str, Any], tmp_path: Path) -> None:
    local = _local_catalogs(config, tmp_path)
    assert set(local) == {"lakehouse", "lakehouse_rw", "source"}
    assert config["trino_catalogs"] == local
    assert config["trino_chart"]["catalogs"] == local


def test_trino_rules_are_the_local_servers(config: dict[str, Any]) -> None:
    rules = json.loads((REPO / "trino" / "etc" / "rules.json").read_text(encoding="utf-8"))
    assert json.loads(config["trino_chart"]["accessControl"]["rules"]["rules.json"]) == rules


def test_superset_overrides_start_with_the_local_config(config: dict[str, Any]) -> None:
    overrides = config["superset_chart"]["configOverrides"]
    local = (REPO / "superset" / "superset_config.py").read_text(encoding="utf-8")
    assert sorted(overrides) == ["10-peloton", "20-cloud"]
    assert overrides["10-peloton"] == local
    requirements = (REPO / "superset" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    driver = next(line for line in requirements if line.startswith("trino"))
    assert f"'{driver}'" in config["superset_chart"]["bootstrapScript"]
    compile(overrides["20-cloud"], "20-cloud", "exec")  # the cloud's override is valid Python


def test_flow_runs_get_every_setting_the_catalog_and_storage_need(config: dict[str, Any]) -> None:
    template = config["base_job_template"]["job_configuration"]["job_manifest"]
    container = template["spec"]["template"]["spec"]["containers"][0]
    assert container["envFrom"] == [{"secretRef": {"name": config["names"]["settings_secret"]}}]
    assert config["job_env"]["EXTRA_PIP_PACKAGES"].startswith("peloton")
    assert config["warehouse"] == f"s3://{config['names']['bucket']}/warehouse"
