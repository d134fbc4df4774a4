"""The nightly flyby exports on the tiny race Trino serves: files in the warehouse, the index in
marts.gif_exports (read by `bi` in Trino), idempotent, changes and failures handled."""

import hashlib
import shutil
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest
from PIL import Image
from pipeline_helpers import land, model
from s3_server import S3Server, s3_server

from lakehouse.catalog import open_catalog, warehouse_location
from lakehouse.gifs import exports
from lakehouse.gifs.duel import Duel
from lakehouse.gifs.duels import DuelSpec
from lakehouse.gifs.exports import Outcome, export_gifs
from lakehouse.gifs.gallery import write_gallery
from lakehouse.gifs.race import known_stages
from lakehouse.gifs.server import export_key, exports_server, signer
from lakehouse.lake.presign import presigned_get
from lakehouse.settings import Settings, get_settings
from lakehouse.trino.client import run_sql
from racesim.simulate import run_simulation

pytestmark = pytest.mark.integration


def _local(path: str) -> Path:
    return Path(urlparse(path).path)


def _index(lake: Settings) -> dict[str, dict[str, object]]:
    table = open_catalog(lake).load_table("marts.gif_exports")
    return {f"{r['stage']}/{r['export_id']}": r for r in table.scan().to_arrow().to_pylist()}


@pytest.fixture(scope="module")
def first_run(lake: Settings) -> list[Outcome]:
    """The exports from none: the index and the files of earlier tests (the gallery's) removed."""
    catalog = open_catalog(lake)
    if catalog.table_exists("marts.gif_exports"):
        catalog.drop_table("marts.gif_exports")
    shutil.rmtree(_local(f"{warehouse_location(lake)}/exports/gifs"), ignore_errors=True)
    return export_gifs(catalog, warehouse_location(lake), log=lambda _: None)


def test_exports_are_written_and_indexed(lake: Settings, first_run: list[Outcome]) -> None:
    rendered = [o for o in first_run if o.status == "rendered"]
    assert rendered and not [o for o in first_run if o.status == "failed"]
    kinds = {o.export_id.split("-")[0] for o in rendered}
    assert {"finale", "climb", "general"} <= kinds
    index = _index(lake)
    assert len(index) == len(rendered)
    warehouse = warehouse_location(lake)
    for outcome in rendered:
        row = index[f"{outcome.stage}/{outcome.export_id}"]
        path = str(row["path"])
        assert path.startswith(f"{warehouse}/exports/gifs/stage={outcome.stage:02d}/")
        data = _local(path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row["content_hash"]
        assert len(data) == row["bytes"]
        assert Image.open(_local(path)).n_frames == row["frames"]
    climbs = open_catalog(lake).load_table("marts.climb_efforts").scan().to_arrow().to_pylist()
    times = {(r["stage"], r["climb_number"], r["bib"]): r["time_s"] for r in climbs}
    for row in index.values():
        if row["kind"] != "climb":
            continue
        number = int(str(row["export_id"]).split("-")[1])
        a, b = (times[(row["stage"], number, row[k])] for k in ("bib_a", "bib_b"))
        assert abs(float(str(row["gap_s"])) - abs(a - b)) < 0.5


def test_bi_reads_the_index_in_trino(lake: Settings, first_run: list[Outcome]) -> None:
    result = run_sql(lake, "SELECT count(*), min(bytes) FROM lakehouse.marts.gif_exports", "bi")
    count, smallest = result.rows[0]
    assert count == len(_index(lake)) and smallest > 0


def test_a_second_run_renders_nothing(lake: Settings, first_run: list[Outcome]) -> None:
    table = open_catalog(lake).load_table("marts.gif_exports")
    snapshots = len(table.snapshots())
    again = export_gifs(open_catalog(lake), warehouse_location(lake), log=lambda _: None)
    assert {o.status for o in again} <= {"unchanged", "skipped"}
    assert len(open_catalog(lake).load_table("marts.gif_exports").snapshots()) == snapshots


def test_a_night_opens_only_the_stages_whose_inputs_changed(
    lake: Settings, first_run: list[Outcome], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cost of a night follows what changed, not the length of the race: a stage is opened
    (its tracks read) only when its day's marts or an earlier day's were published again."""
    warehouse = warehouse_location(lake)
    facts = sorted(known_stages(open_catalog(lake)).values(), key=lambda f: f.stage_date)
    assert len(facts) >= 2
    opened: list[int] = []
    real_load = exports.load_stage

    def counted(catalog: object, stage: int) -> object:
        opened.append(stage)
        return real_load(catalog, stage)  # type: ignore[arg-type]

    monkeypatch.setattr(exports, "load_stage", counted)
    quiet = export_gifs(open_catalog(lake), warehouse, log=lambda _: None)
    assert opened == []
    assert len([o for o in quiet if o.status == "unchanged"]) == len(_index(lake))
    relanded = facts[1].stage_date.isoformat()
    real_landed = exports.landed_fingerprints

    def moved(table: object, ref: str = "main") -> dict[str, str]:
        found = real_landed(table, ref)  # type: ignore[arg-type]
        return {part: "re-landed" if part == relanded else fp for part, fp in found.items()}

    monkeypatch.setattr(exports, "landed_fingerprints", moved)
    night = export_gifs(open_catalog(lake), warehouse, log=lambda _: None)
    assert opened == [f.stage for f in facts[1:]]
    assert {o.status for o in night} <= {"unchanged", "skipped"}  # same marts, same GIFs
    monkeypatch.setattr(exports, "landed_fingerprints", real_landed)
    opened.clear()
    export_gifs(open_catalog(lake), warehouse, log=lambda _: None)
    assert opened == [f.stage for f in facts[1:]]  # the day's real fingerprint is back
    opened.clear()
    export_gifs(open_catalog(lake), warehouse, log=lambda _: None)
    assert opened == []


@pytest.fixture()
def lake_env(lake: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PELOTON_HOME", str(lake.home))
    monkeypatch.setenv("PELOTON_SOURCE__URL", lake.source.url.get_secret_value())  # type: ignore[union-attr]
    monkeypatch.setenv("PELOTON_SOURCE__SCHEMA_NAME", lake.source.schema_name)
    monkeypatch.setenv("PELOTON_CATALOG__NAME", lake.catalog.name)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_changed_stage_replaces_its_exports_and_a_failure_stops_nothing(
    lake: Settings, first_run: list[Outcome], monkeypatch: pytest.MonkeyPatch
) -> None:
    stage = max({o.stage for o in first_run if o.status == "rendered"}, key=lambda s: sum(
        1 for o in first_run if o.stage == s and o.status == "rendered"
    ))  # fmt: skip
    before = {k: v for k, v in _index(lake).items() if v["stage"] == stage}
    real = exports.wanted_duels
    broken_caption = "a duel whose render fails"

    def changed(catalog: object, found: object) -> tuple[list[DuelSpec], list[object]]:
        """The first duel dropped, the second's riders swapped, the third's render failing."""
        specs, skipped = real(catalog, found)  # type: ignore[arg-type]
        _, swapped, broken, *rest = specs
        swapped = replace(swapped, bibs=(swapped.bibs[1], swapped.bibs[0]))
        broken = replace(broken, caption=broken_caption)
        return [swapped, broken, *rest], list(skipped)

    real_render = exports.render

    def fragile(duel: Duel, *args: object) -> object:
        if duel.caption == broken_caption:
            raise RuntimeError("the disk is full")
        return real_render(duel, *args)  # type: ignore[arg-type]

    specs, _ = real(open_catalog(lake), exports.load_stage(open_catalog(lake), stage))
    dropped, swapped, broken = specs[0], specs[1], specs[2]
    monkeypatch.setattr(exports, "wanted_duels", changed)
    monkeypatch.setattr(exports, "render", fragile)
    warehouse = warehouse_location(lake)
    run = export_gifs(open_catalog(lake), warehouse, [stage], log=lambda _: None)
    outcomes = {o.export_id: o for o in run}
    assert outcomes[dropped.export_id].status == "removed"
    assert outcomes[swapped.export_id].status == "rendered"
    assert outcomes[broken.export_id].status == "failed"
    assert "the disk is full" in outcomes[broken.export_id].detail
    touched = {dropped.export_id, swapped.export_id, broken.export_id}
    assert all(o.status in ("unchanged", "skipped") for o in run if o.export_id not in touched)
    after = {k: v for k, v in _index(lake).items() if v["stage"] == stage}
    key = f"{stage}/{dropped.export_id}"
    assert key not in after and not _local(str(before[key]["path"])).exists()
    swapped_key = f"{stage}/{swapped.export_id}"
    assert after[swapped_key]["bib_a"] == before[swapped_key]["bib_b"]
    assert not _local(str(before[swapped_key]["path"])).exists()
    assert _local(str(after[swapped_key]["path"])).exists()
    monkeypatch.undo()
    restored = export_gifs(
        open_catalog(lake), warehouse_location(lake), [stage], log=lambda _: None
    )
    assert {o.export_id for o in restored if o.status == "rendered"} >= {
        dropped.export_id,
        swapped.export_id,
    }


def test_the_flow_reports_every_export(lake_env: None, first_run: list[Outcome]) -> None:
    from prefect.artifacts import Artifact
    from prefect.testing.utilities import prefect_test_harness

    from flows.gif_exports import gif_exports

    with prefect_test_harness(server_startup_timeout=120):
        outcomes = gif_exports()
        artifact = Artifact.get("gif-exports-summary")
    assert {o.status for o in outcomes} <= {"unchanged", "skipped"}
    assert artifact is not None and "unchanged" in str(artifact.data)


S3_BUCKET = "peloton-gifs"


@pytest.fixture(scope="module")
def s3_lake(
    postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, S3Server]]:
    """A tiny race modelled with its warehouse on a real S3-protocol server (S3Proxy)."""
    with s3_server(tmp_path_factory.mktemp("gif-s3")) as server:
        server.create_bucket(S3_BUCKET)
        home = tmp_path_factory.mktemp("gif-s3-home")
        sources = home / "sources"
        run_simulation("tiny", 7, sources, postgres_url, schema="gif_s3_src")
        settings = Settings(
            home=home,
            source={"url": postgres_url, "schema_name": "gif_s3_src"},
            catalog={"kind": "sqlite"},
            files={"sources_dir": sources},
            storage={
                "warehouse": f"s3://{S3_BUCKET}/lake",
                "s3_endpoint": server.endpoint,
                "s3_access_key_id": server.access_key,
                "s3_secret_access_key": server.secret_key,
            },
        )
        catalog = open_catalog(settings)
        land(catalog, settings, postgres_url, "gif_s3_src", sources)
        model(catalog)
        yield settings, server


def test_exports_on_s3_and_a_gallery_from_there(
    s3_lake: tuple[Settings, S3Server], tmp_path: Path
) -> None:
    settings, server = s3_lake
    catalog = open_catalog(settings)
    stage = min(known_stages(catalog))
    first = export_gifs(catalog, warehouse_location(settings), [stage], log=lambda _: None)
    rendered = [o for o in first if o.status == "rendered"]
    assert rendered and not [o for o in first if o.status == "failed"]
    rows = catalog.load_table("marts.gif_exports").scan().to_arrow().to_pylist()
    assert len(rows) == len(rendered)
    for row in rows:
        path = str(row["path"])
        assert path.startswith(f"s3://{S3_BUCKET}/lake/exports/gifs/stage={stage:02d}/")
        stored = server.data_dir / S3_BUCKET / path.removeprefix(f"s3://{S3_BUCKET}/")
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == row["content_hash"]
    again = export_gifs(catalog, warehouse_location(settings), [stage], log=lambda _: None)
    assert {o.status for o in again} <= {"unchanged", "skipped"}
    made = write_gallery(catalog, tmp_path / "gallery")
    copied = sorted((tmp_path / "gallery").rglob("*.gif"))
    assert made.gifs == len(copied) == len(rows)
    assert {hashlib.sha256(p.read_bytes()).hexdigest() for p in copied} == {
        r["content_hash"] for r in rows
    }


def _get(url: str) -> tuple[int, bytes, str | None]:
    """Status, body and Location of a GET that does not follow redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=30) as answer:
            return answer.status, answer.read(), answer.headers.get("Location")
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read(), refused.headers.get("Location")


def test_the_exports_server_links_s3_gifs_with_expiring_presigned_urls(
    s3_lake: tuple[Settings, S3Server],
) -> None:
    settings, server = s3_lake
    catalog = open_catalog(settings)
    export_gifs(catalog, warehouse_location(settings), [min(known_stages(catalog))], log=print)
    rows = catalog.load_table("marts.gif_exports").scan().to_arrow().to_pylist()
    assert rows
    httpd = exports_server(catalog, settings, port=0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        for row in rows:
            status, _, link = _get(f"{base}/{export_key(str(row['path']))}")
            assert status == 302 and link is not None
            assert link.startswith(f"{server.endpoint}/{S3_BUCKET}/lake/exports/gifs/")
            status, body, _ = _get(link)
            assert status == 200
            assert hashlib.sha256(body).hexdigest() == row["content_hash"]
            forged = link[:-1] + ("0" if link[-1] != "0" else "1")
            assert _get(forged)[0] == 403
            assert _get(link.split("?", 1)[0])[0] == 403  # the bucket stays private
        expired = presigned_get(
            signer(settings), str(rows[0]["path"]), 60, datetime.now(UTC) - timedelta(hours=2)
        )
        assert _get(expired)[0] == 403
    finally:
        httpd.shutdown()
        httpd.server_close()
