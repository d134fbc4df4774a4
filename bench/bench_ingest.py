"""Benchmark: telemetry ingestion into Iceberg against a raw COPY read, dlt and pandas.

    python bench/bench_ingest.py --scale full            (make bench-ingest)

Fills a source database at the given scale (or reuses `race.telemetry` with --reuse), then runs
each contender in its own process, so that each peak memory is its own:

(a) copy            `COPY race.telemetry_X TO STDOUT (FORMAT BINARY)`, read and discarded: the
                    floor, what the server and the wire can deliver at all;
(b) peloton         the `ingest_telemetry` Prefect flow, as `peloton run --ingest-only` runs
                    it: Prefect's ephemeral API, the settings' defaults (the SQL catalog in the
                    source PostgreSQL, a local warehouse), the plan task, then one task per day
                    (ADBC read, conform, Parquet, one Iceberg commit), one day at a time.
                    Prefect's start-up (its import, the ephemeral API, a first empty flow run)
                    is timed apart and reported beside it, not counted in its rate;
(c) dlt-connectorx  dlt `sql_database` source, connectorx backend, Parquet on the filesystem;
    dlt-pyarrow     the same with the pyarrow backend (SQLAlchemy rows into Arrow);
(d) pandas          `pandas.read_sql` per partition, written to Parquet.

By default every contender runs on every day (about 8 minutes at full scale on 2 cores). With
--sample-days N the slower ones (dlt, pandas) run on the first N days only, and (b) is measured
again on the same days, so each ratio still compares equal work; that second run of (b) also
shows whether its peak memory grows with the number of days.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, cast

import psycopg
from benchkit import peak_rss_mb, source_database

CONTENDERS = ("copy", "peloton", "dlt-connectorx", "dlt-pyarrow", "pandas")
SLOW = ("dlt-connectorx", "dlt-pyarrow", "pandas")


def partitions(url: str) -> list[tuple[str, int]]:
    """The day partitions of race.telemetry, oldest first, with their exact row counts."""
    with psycopg.connect(url, autocommit=True) as conn:
        names = [
            str(r[0])
            for r in conn.execute(
                "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid "
                "where i.inhparent = 'race.telemetry'::regclass order by c.relname"
            )
        ]
        counts = []
        for name in names:
            row = conn.execute(f"select count(*) from race.{name}").fetchone()
            counts.append((name, int(row[0]) if row else 0))
        conn.execute("vacuum analyze race.telemetry")
    return counts


# ---------------------------------------------------------------- contenders (child processes)


def run_copy(url: str, names: list[str], out: Path) -> int:
    read = 0
    with psycopg.connect(url) as conn:
        for name in names:
            with conn.cursor().copy(f"copy race.{name} to stdout (format binary)") as copy:
                for chunk in copy:
                    read += len(chunk)
    return -1  # rows are known to the parent; the bytes prove the data crossed the wire


def prepare_peloton(url: str, out: Path) -> dict[str, float]:
    """Settings and Prefect as `peloton run` has them, then Prefect started: its start-up time.

    A catalog of its own in the source PostgreSQL (each run lands into a fresh warehouse).
    """
    os.environ.update(
        PELOTON_HOME=str(out),
        PELOTON_SOURCE__URL=url,
        PELOTON_CATALOG__NAME=f"bench_{uuid.uuid4().hex[:12]}",
    )
    from lakehouse.orchestration import configure_prefect
    from lakehouse.settings import get_settings

    configure_prefect(get_settings())
    # a fresh Prefect home migrates its database on the first start: on a loaded machine
    # that takes longer than Prefect's default 20 s wait for its ephemeral API
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    started = time.perf_counter()
    from prefect import flow

    importlib.import_module("flows.ingest")

    @flow(name="bench_start_prefect")
    def start() -> None:
        """An empty flow run: the ephemeral API is up once it returns."""

    start()
    return {"prefect_startup_s": time.perf_counter() - started}


def run_peloton(url: str, names: list[str], out: Path) -> int:
    from flows.ingest import ingest_telemetry

    days = [f"{n[-10:-6]}-{n[-5:-3]}-{n[-2:]}" for n in names]
    results = ingest_telemetry(days=days)
    return sum(r.rows for r in results)


def _parquet_rows(folder: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(p).metadata.num_rows for p in folder.rglob("*.parquet"))


def _run_dlt(url: str, names: list[str], out: Path, backend: str) -> int:
    import dlt
    from dlt.sources.sql_database import sql_database

    alchemy_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    kwargs: dict[str, Any] = {"conn": url} if backend == "connectorx" else {}
    source = sql_database(
        credentials=alchemy_url,
        schema="race",
        table_names=names,
        backend=cast(Any, backend),  # a Literal in dlt's signature
        backend_kwargs=kwargs,
        chunk_size=100_000,
    )
    pipeline = dlt.pipeline(
        pipeline_name=f"bench_{backend}",
        pipelines_dir=str(out / "pipelines"),
        destination=dlt.destinations.filesystem(bucket_url=(out / "lake").as_uri()),
        dataset_name="raw",
        progress="log",
    )
    pipeline.run(source, loader_file_format="parquet")
    return _parquet_rows(out / "lake")


def run_dlt_connectorx(url: str, names: list[str], out: Path) -> int:
    return _run_dlt(url, names, out, "connectorx")


def run_dlt_pyarrow(url: str, names: list[str], out: Path) -> int:
    return _run_dlt(url, names, out, "pyarrow")


def run_pandas(url: str, names: list[str], out: Path) -> int:
    import pandas as pd
    import sqlalchemy

    engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    rows = 0
    for name in names:
        frame = pd.read_sql(f"select * from race.{name}", engine)
        frame.to_parquet(out / f"{name}.parquet", compression="zstd", index=False)
        rows += len(frame)
        del frame
    return rows


PREPARE = {"peloton": prepare_peloton}
RUNNERS = {
    "copy": run_copy,
    "peloton": run_peloton,
    "dlt-connectorx": run_dlt_connectorx,
    "dlt-pyarrow": run_dlt_pyarrow,
    "pandas": run_pandas,
}


IMPORTS = {
    "copy": ["psycopg"],
    "peloton": ["lakehouse.catalog", "lakehouse.ingest.telemetry", "pyiceberg.catalog.sql"],
    "dlt-connectorx": ["dlt", "dlt.sources.sql_database", "connectorx", "pyarrow.parquet"],
    "dlt-pyarrow": ["dlt", "dlt.sources.sql_database", "sqlalchemy", "pyarrow.parquet"],
    "pandas": ["pandas", "sqlalchemy", "pyarrow.parquet"],
}


def worker(name: str, url: str, names: list[str], out: Path) -> None:
    """Run one contender in this process and print one JSON line: rows, seconds, peak MB.

    Its libraries are imported, and its framework started, before the clock starts: fixed
    costs, not a rate (Prefect's start-up is reported apart). `out` is removed by the parent
    once this process has ended (Prefect's state lives there until its exit).
    """
    for module in IMPORTS[name]:
        importlib.import_module(module)
    extra = PREPARE[name](url, out) if name in PREPARE else {}
    started = time.perf_counter()
    rows = RUNNERS[name](url, names, out)
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mb": peak_rss_mb(), **extra}))


# ---------------------------------------------------------------------------- the harness


def measure(name: str, url: str, chosen: list[tuple[str, int]]) -> dict[str, Any]:
    names = ",".join(n for n, _ in chosen)
    out = Path(tempfile.mkdtemp(prefix=f"peloton-bench-{name}-", dir="/var/tmp"))
    try:
        command = [sys.executable, __file__, "--worker", name, "--url", url]
        done = subprocess.run(
            [*command, "--partitions", names, "--out", str(out)],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    expected = sum(rows for _, rows in chosen)
    if result["rows"] == -1:
        result["rows"] = expected
    if result["rows"] != expected:
        raise SystemExit(f"{name} landed {result['rows']:,} rows, the source has {expected:,}")
    result["rate"] = result["rows"] / result["seconds"]
    result["days"] = len(chosen)
    print(
        f"  {name:<15} {len(chosen):>2} days {result['rows']:>12,} rows "
        f"{result['seconds']:8.1f} s {result['rate']:>12,.0f} rows/s "
        f"peak {result['peak_mb']:>7,.0f} MB"
        + (
            f" (Prefect start-up {result['prefect_startup_s']:.1f} s, not counted)"
            if "prefect_startup_s" in result
            else ""
        ),
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", default="full")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument(
        "--sample-days", type=int, default=0, help="days for the slow ones (0: every day)"
    )
    parser.add_argument("--contenders", default=",".join(CONTENDERS))
    parser.add_argument("--reuse", action="store_true", help="keep race.telemetry as it is")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--partitions", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.url, args.partitions.split(","), Path(args.out))
        return

    chosen = [c for c in args.contenders.split(",") if c]
    unknown = set(chosen) - set(CONTENDERS)
    if unknown:
        parser.error(f"unknown contenders {sorted(unknown)}; expected some of {CONTENDERS}")
    with source_database() as url:
        if not args.reuse:
            from racesim.simulate import run_simulation

            out = Path(tempfile.mkdtemp(prefix="peloton-bench-src-", dir="/var/tmp"))
            try:
                print(f"simulating the {args.scale} race into the source database ...", flush=True)
                run_simulation(args.scale, args.seed, out / "sources", url)
            finally:
                shutil.rmtree(out, ignore_errors=True)
        days = partitions(url)
        sample = days if args.sample_days <= 0 else days[: args.sample_days]
        total = sum(r for _, r in days)
        print(f"source: {len(days)} days, {total:,} rows; sample: {len(sample)} days", flush=True)
        full: dict[str, dict[str, Any]] = {}
        part: dict[str, dict[str, Any]] = {}
        for name in chosen:
            if name in SLOW:
                part[name] = measure(name, url, sample)
            else:
                full[name] = measure(name, url, days)
        few: dict[str, Any] | None = None
        if "peloton" in chosen:
            # on fewer days: the ratio on equal work, and whether memory grows with the days
            few = measure("peloton", url, sample if sample != days else days[:3])
            part["peloton"] = few if sample != days else full["peloton"]
    report(full, part, few)


def report(
    full: dict[str, dict[str, Any]], part: dict[str, dict[str, Any]], few: dict[str, Any] | None
) -> None:
    print("\nratios")
    targets: list[str] = []
    if "copy" in full and "peloton" in full:
        ratio = full["peloton"]["rate"] / full["copy"]["rate"]
        print(f"  (b) peloton / (a) COPY floor, all days: {ratio:.2f}")
        targets.append(f"(b) >= 0.80 of (a): {'met' if ratio >= 0.8 else 'NOT met'}")
    if "peloton" in part:
        own = part["peloton"]["rate"]
        for name, need in (("dlt-connectorx", 1.7), ("dlt-pyarrow", 5.0), ("pandas", None)):
            if name in part:
                ratio = own / part[name]["rate"]
                print(f"  (b) peloton / {name}, same days: {ratio:.2f}x")
                if need is not None:
                    targets.append(
                        f"(b) >= {need}x {name}: {'met' if ratio >= need else 'NOT met'}"
                    )
    if "peloton" in full:
        print(f"  Prefect start-up (not counted): {full['peloton']['prefect_startup_s']:.1f} s")
        peak = full["peloton"]["peak_mb"]
        targets.append(
            f"peloton peak {peak:,.0f} MB <= 2048 MB: {'met' if peak <= 2048 else 'NOT met'}"
        )
        if few is not None:
            print(
                f"  peloton peak memory: {few['peak_mb']:,.0f} MB on {few['days']} days, "
                f"{peak:,.0f} MB on every day"
            )
    print("targets")
    for line in targets:
        print(f"  {line}")


if __name__ == "__main__":
    main()
