"""No secret in infra/terraform: no default, example or literal holds one."""

from __future__ import annotations

import re
from typing import Any

from terraform_files import INFRA, Folder, folders, load

SECRET_NAME = re.compile(r"password|secret|token|api_key|private_key|access_key", re.IGNORECASE)
# what a real secret looks like: an AWS key id, a private key, a long random token
SECRET_VALUE = re.compile(
    r"AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY|pnu_[A-Za-z0-9]{20,}|\b[A-Za-z0-9+/]{40}\b"
)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_no_variable_that_holds_a_secret_has_a_default_and_each_is_sensitive() -> None:
    for folder in folders():
        for name, body in folder.variables().items():
            names_one = body.get("description", "").startswith("Name of")  # a secret's name
            if SECRET_NAME.search(name) and not names_one:
                assert "default" not in body, f"{folder.path.name}: {name} has a default"
                assert body.get("sensitive") is True, f"{folder.path.name}: {name} is not sensitive"


def test_no_default_looks_like_a_secret() -> None:
    for folder in folders():
        for name, body in folder.variables().items():
            for text in _strings(body.get("default")):
                assert not SECRET_VALUE.search(text), f"{folder.path.name}: {name}"


def test_no_example_holds_a_secret() -> None:
    examples = sorted(INFRA.glob("envs/*/*/*.example"))
    assert len(examples) == 8
    for path in examples:
        values = load(path)
        for key in values if path.name.startswith("terraform.tfvars") else []:
            assert not SECRET_NAME.search(key), f"{path}: {key}"
        for text in _strings(values):
            assert not SECRET_VALUE.search(text), f"{path}: {text}"


def test_the_secret_detector_finds_secrets() -> None:
    assert SECRET_VALUE.search("AKIAIOSFODNN7EXAMPLE")
    assert SECRET_VALUE.search("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    assert SECRET_NAME.search("prefect_api_key")
    assert not SECRET_VALUE.search("00000000-0000-0000-0000-000000000000")


def test_no_literal_in_a_module_or_root_looks_like_a_secret() -> None:
    for folder in [*folders(), Folder(INFRA / "envs" / "shared")]:
        for path in folder.files:
            text = path.read_text(encoding="utf-8")
            assert not SECRET_VALUE.search(text), f"{path}"
