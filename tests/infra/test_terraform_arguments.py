"""Each resource uses only documented arguments (provider_arguments.py names the pages)."""

from __future__ import annotations

from provider_arguments import ARGUMENTS, META, PROVIDERS, provider_of
from terraform_files import ROOTS, Folder, folders


def test_every_resource_uses_only_documented_arguments() -> None:
    seen = set()
    for folder in folders():
        for kind, name, body in folder.resources():
            seen.add(kind)
            assert kind in ARGUMENTS, f"{folder.path.name}: {kind} has no kept argument list"
            # a `dynamic "name"` block stands for blocks called name
            used = set(body) - {"dynamic"} | {n for d in body.get("dynamic", []) for n in d}
            unknown = used - ARGUMENTS[kind] - META
            page = PROVIDERS[provider_of(kind)][1].format(kind.split("_", 1)[1])
            assert not unknown, f"{folder.path.name}: {kind}.{name} uses {unknown}, not on {page}"
    # the lists are kept to what is used: a list for a resource no longer used is removed
    assert seen == set(ARGUMENTS)


def test_each_list_is_for_the_version_the_roots_pin() -> None:
    pinned = {}
    for path in ROOTS.values():
        for name, spec in Folder(path).required_providers().items():
            pinned[name] = spec["version"].removeprefix("= ")
    assert {p: v for p, (v, _) in PROVIDERS.items()} == pinned
    for provider, (version, page) in PROVIDERS.items():
        assert f"/{version}/docs/resources/" in page, provider


def test_an_undocumented_argument_is_caught() -> None:
    body = {"bucket": "b", "public": True}
    assert set(body) - ARGUMENTS["aws_s3_bucket"] - META == {"public"}
