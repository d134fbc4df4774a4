"""The roots and modules of infra/terraform, read with python-hcl2."""

from __future__ import annotations

import re

import pytest
from terraform_files import INFRA, MODULES, ROOTS, Folder, folders, load, reached

COMPONENTS = ("network", "object_store", "postgres", "secrets", "kubernetes")


def test_both_clouds_apps_call_the_same_component_modules() -> None:
    aws, gcp = reached(Folder(ROOTS["aws/apps"])), reached(Folder(ROOTS["gcp/apps"]))
    assert aws == gcp
    assert {"config", "apps", "trino", "superset", "prefect", "database", "cluster_base"} <= aws


def test_both_clouds_platforms_have_each_component_and_share_the_rest() -> None:
    aws, gcp = reached(Folder(ROOTS["aws/platform"])), reached(Folder(ROOTS["gcp/platform"]))
    assert {f"aws_{c}" for c in COMPONENTS} <= aws
    assert {f"gcp_{c}" for c in COMPONENTS} <= gcp
    assert {m for m in aws if not m.startswith("aws_")} == {
        m for m in gcp if not m.startswith("gcp_")
    }
    assert {"config", "credentials"} <= aws
    # a cloud's root reaches no other cloud's modules
    assert not any(m.startswith("gcp_") for m in aws) and not any(m.startswith("aws_") for m in gcp)


def test_every_module_call_passes_only_declared_variables_and_all_required_ones() -> None:
    for folder in folders():
        for name, child in folder.module_folders().items():
            given = set(folder.modules()[name]) - {
                "source",
                "depends_on",
                "providers",
                "count",
                "for_each",
            }
            declared = child.variables()
            required = {v for v, body in declared.items() if "default" not in body}
            assert given <= set(declared), (
                f"{folder.path.name}: module {name} given {given - set(declared)}"
            )
            assert required <= given, f"{folder.path.name}: module {name} misses {required - given}"


def test_every_variable_and_output_is_described() -> None:
    for folder in [*folders(), Folder(INFRA / "envs" / "shared")]:
        for name, body in folder.variables().items():
            assert body.get("description"), f"{folder.path}: variable {name} has no description"
        for block in folder.blocks("output"):
            for name, body in block.items():
                assert body.get("description"), f"{folder.path}: output {name} has no description"


@pytest.mark.parametrize("root", sorted(ROOTS))
def test_every_tfvars_example_variable_is_declared_and_described(root: str) -> None:
    folder = Folder(ROOTS[root])
    example = load(folder.path / "terraform.tfvars.example")
    declared = folder.variables()
    assert example, "empty example"
    for name in example:
        assert name in declared, f"{root}: {name} is not a variable of the root"
        assert declared[name].get("description"), f"{root}: {name} has no description"
    # every variable without a default is in the example, so a copy of it is a start
    required = {
        v for v, body in declared.items() if "default" not in body and "sensitive" not in body
    }
    assert required <= set(example), f"{root}: the example lacks {required - set(example)}"


@pytest.mark.parametrize("root", sorted(ROOTS))
def test_each_root_has_a_backend_example(root: str) -> None:
    backend = load(ROOTS[root] / "backend.tf.example")["terraform"][0]["backend"][0]
    assert set(backend) == {"s3" if root.startswith("aws") else "gcs"}


def test_roots_pin_provider_versions_exactly_and_modules_bound_them() -> None:
    for root, path in ROOTS.items():
        providers = Folder(path).required_providers()
        assert providers, root
        for name, spec in providers.items():
            assert re.fullmatch(r"= \d+\.\d+\.\d+", spec["version"]), f"{root}: {name} {spec}"
    pins: dict[str, str] = {}
    for path in ROOTS.values():
        for name, spec in Folder(path).required_providers().items():
            assert pins.setdefault(name, spec["version"]) == spec["version"], f"two pins of {name}"
    for module in sorted(MODULES.iterdir()):
        for name, spec in Folder(module).required_providers().items():
            low = re.match(r">= (\d+\.\d+)", spec.get("version", ""))
            assert low, f"{module.name}: {name} has no lower bound"
            pinned = tuple(int(x) for x in pins[name].removeprefix("= ").split(".")[:2])
            assert tuple(int(x) for x in low.group(1).split(".")) <= pinned, (
                f"{module.name}: {name}"
            )
