"""The config module's outputs, applied offline once per session and cloud."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from terraform_files import config_outputs

AWS = {
    "cloud": "aws",
    "region": "eu-west-1",
    "bucket_suffix": "123456789012",
    "postgres_host": "db.internal",
    "peloton_package": "peloton==0.1.0",
    "pip_index_url": "https://pypi.example.org/simple",
}
GCP = {
    "cloud": "gcp",
    "region": "europe-west1",
    "bucket_suffix": "my-project",
    "postgres_host": "10.1.2.3",
    "peloton_package": "peloton @ https://releases.example.org/peloton-0.1.0-py3-none-any.whl#sha256="
    + "0" * 64,
}


@pytest.fixture(scope="session", params=[AWS, GCP], ids=["aws", "gcp"])
def config(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The config module's outputs with the variables of one cloud (plus `_variables`)."""
    workdir: Path = tmp_path_factory.mktemp(f"config-{request.param['cloud']}")
    return {**config_outputs(workdir, **request.param), "_variables": request.param}
