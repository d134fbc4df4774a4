"""The config module's computed values against the local platform's own sources.

The module is applied offline (no provider) through a root that calls it; its deployments are
compared with prefect.yaml as it is now, and its Trino catalogs with the files the local
server's renderer (lakehouse/trino/config.py) writes for the same settings.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml
from conftest import AWS
from terraform_files import MODULES, REPO, config_outputs

from lakehouse.gifs.exports import EXPORTS_DIR, stage_folder
from lakehouse.settings import Settings
from lakehouse.trino.config import Layout, write_config
from lakehouse.trino.install import TRINO_VERSION


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
        assert ours["work_queue"] == (d.get("work_pool") or {}).get("work_queue_name", "default")
        limit = d.get("concurrency_limit")
        if isinstance(limit, dict):
            assert ours["concurrency_limit"] == limit["limit"]
            assert ours["collision_strategy"] == limit.get("collision_strategy")
        else:
            assert ours["concurrency_limit"] == limit
            assert ours["collision_strategy"] is None
        for i, s in enumerate(d.get("schedules") or []):
            expected_schedules[f"{d['name']}/{i}"] = {
                "deployment": d["name"],
                "cron": s.get("cron"),
                "interval": s.get("interval"),
                "rrule": s.get("rrule"),
                "timezone": s.get("timezone", "UTC"),
                "active": s.get("active", True),
            }
    assert config["schedules"] == expected_schedules
    assert expected_schedules, "prefect.yaml has no schedule to compare"
    assert any(d.get("concurrency_limit") for d in deployments), "no concurrency limit to compare"


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
    # the overrides run in order: behind TLS, Talisman's headers are on
    cloud = overrides["20-cloud"]
    assert "TALISMAN_ENABLED = False" in local and "\nTALISMAN_ENABLED = True\n" in cloud


def test_flow_runs_get_every_setting_the_catalog_and_storage_need(config: dict[str, Any]) -> None:
    template = config["base_job_template"]["job_configuration"]["job_manifest"]
    container = template["spec"]["template"]["spec"]["containers"][0]
    assert container["envFrom"] == [{"secretRef": {"name": config["names"]["settings_secret"]}}]
    assert config["warehouse"] == f"s3://{config['names']['bucket']}/warehouse"


def test_flow_runs_install_the_wheel_in_their_pull_step(config: dict[str, Any]) -> None:
    install, sources = config["pull_steps"]
    assert install["requires"] == config["_variables"]["peloton_package"]
    # the file sources: the bucket's sources/ prefix copied into PELOTON_FILES__SOURCES_DIR
    assert install["directory"] == config["settings_env"]["PELOTON_FILES__SOURCES_DIR"]
    assert sources["type"] == "pull_from_s3" and sources["bucket"] == config["names"]["bucket"]
    assert sources["credentials"] == (
        "{{ prefect.blocks.aws-credentials." + config["names"]["storage_block"] + " }}"
    )
    assert "EXTRA_PIP_PACKAGES" not in config["job_env"]  # installed once, by the pull step
    index = config["_variables"].get("pip_index_url")
    assert config["job_env"].get("PIP_INDEX_URL") == index


def test_flow_runs_settings_name_real_settings(config: dict[str, Any], tmp_path: Path) -> None:
    """Every variable the settings secret's non-secret part sets is one Settings reads."""
    env = config["settings_env"]
    assert env["PELOTON_TRINO__HTTP_SCHEME"] == "https" and env["PELOTON_TRINO__USER"] == "etl"
    values: dict[str, dict[str, str]] = {}
    for name, value in env.items():
        part, _, field = name.removeprefix("PELOTON_").lower().partition("__")
        if field:
            values.setdefault(part, {})[field] = value
    settings = Settings(home=tmp_path, **values)  # type: ignore[arg-type]
    assert settings.trino.port == 443
    assert (
        settings.gifs.base_url
        == f"https://{config['_variables'].get('gifs_hostname', 'gifs.example.org')}"
    )


def test_trino_runs_the_local_servers_version(config: dict[str, Any]) -> None:
    assert config["trino_version"] == TRINO_VERSION
    assert config["trino_chart"]["image"]["tag"] == TRINO_VERSION


def test_gif_lifecycle_prefix_is_where_exports_are_written(config: dict[str, Any]) -> None:
    bucket = config["names"]["bucket"]
    folder = stage_folder(config["warehouse"], 1)  # where lakehouse/gifs/exports.py writes
    assert folder.startswith(f"s3://{bucket}/")
    key = folder.removeprefix(f"s3://{bucket}/")
    lifecycle = config["gif_lifecycle"]
    assert key.startswith(lifecycle["prefix"])
    assert lifecycle["prefix"] == f"warehouse/{EXPORTS_DIR}/"
    # a current GIF is never expired: marts.gif_exports points at it
    assert set(lifecycle) == {"prefix", "noncurrent_days", "abort_incomplete_days"}


def test_the_views_hash_covers_every_view(config: dict[str, Any]) -> None:
    files = sorted(p.name for p in (REPO / "trino" / "views").glob("*.sql"))
    assert config["views"]["files"] == files


def test_a_deployment_added_to_prefect_yaml_is_deployed_with_its_schedules(tmp_path: Path) -> None:
    """The module reads prefect.yaml when it runs: a checkout whose file has one more deployment."""
    checkout = tmp_path / "checkout"
    shutil.copytree(MODULES / "config", checkout / "infra" / "terraform" / "modules" / "config")
    for part in ("trino", "superset", "lakehouse"):
        (checkout / part).symlink_to(REPO / part)
    document = _prefect_yaml()
    document["deployments"].append(
        {
            "name": "transform-hourly",
            "entrypoint": "flows/transform.py:transform",
            "work_pool": {"name": "peloton-process"},
            "parameters": {"full_refresh": True},
            "schedules": [{"interval": 3600}, {"rrule": "FREQ=DAILY;BYHOUR=6", "active": False}],
        }
    )
    (checkout / "prefect.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    module = checkout / "infra" / "terraform" / "modules" / "config"
    outputs = config_outputs(tmp_path / "root", module, **AWS)
    added = outputs["deployments"]["transform-hourly"]
    assert added["entrypoint"] == "flows.transform:transform"
    assert added["parameters"] == {"full_refresh": True}
    assert outputs["schedules"]["transform-hourly/0"]["interval"] == 3600
    assert outputs["schedules"]["transform-hourly/1"]["rrule"] == "FREQ=DAILY;BYHOUR=6"
    assert outputs["schedules"]["transform-hourly/1"]["active"] is False
    assert "transform" in outputs["flow_names"]
