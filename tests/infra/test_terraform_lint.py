"""tflint's two configs: the offline one make infra-check uses, and the registry one the README
gives for the AWS and Google rulesets."""

from __future__ import annotations

import re

from terraform_files import INFRA, load


def _plugins(name: str) -> dict[str, dict[str, object]]:
    return {p: body for block in load(INFRA / name)["plugin"] for p, body in block.items()}


def test_the_offline_config_downloads_nothing() -> None:
    plugins = _plugins(".tflint.hcl")
    assert set(plugins) == {"terraform"}
    assert "source" not in plugins["terraform"]  # the bundled ruleset


def test_the_registry_config_pins_the_cloud_rulesets() -> None:
    plugins = _plugins(".tflint.registry.hcl")
    assert set(plugins) == {"terraform", "aws", "google"}
    for cloud in ("aws", "google"):
        body = plugins[cloud]
        assert body["enabled"] is True
        assert body["source"] == f"github.com/terraform-linters/tflint-ruleset-{cloud}"
        assert re.fullmatch(r"\d+\.\d+\.\d+", str(body["version"]))


def test_the_readme_inits_and_runs_the_registry_config() -> None:
    readme = (INFRA / "README.md").read_text(encoding="utf-8")
    assert '--init --config="$PWD/.tflint.registry.hcl"' in readme
    assert '--config="$PWD/.tflint.registry.hcl"' in readme.split("--init", 1)[1]
    assert "--enable-plugin" not in readme
