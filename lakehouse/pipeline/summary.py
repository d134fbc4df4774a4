"""The run's summary as markdown (the pipeline's artifact): steps, sources, checks, marts."""

from __future__ import annotations

from collections.abc import Sequence

from lakehouse.pipeline.alerts import Fault
from lakehouse.pipeline.night import Night


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return lines


def summary_markdown(night: Night, faults: Sequence[Fault], title: str) -> str:
    """What ran and how long it took, what landed and was quarantined per source and day,
    which checks ran with their status, which marts changed, and the faults alerted."""
    lines = [f"# {title}", "", "## Steps", ""]
    lines += _table(
        ("step", "state", "seconds", "detail"),
        [(o.name, o.status.value, f"{o.seconds:.1f}", o.detail[:300]) for o in night.outcomes],
    )
    lines += ["", "## Sources: landed and quarantined", ""]
    rows = night.ingestion().rows()
    lines += (
        _table(
            ("source", "part", "read", "landed", "quarantined", "note"),
            [
                (
                    r["source"],
                    r["part"],
                    r["read"],
                    "unchanged" if r["skipped"] else r["landed"],
                    r["quarantined"],
                    r["note"],
                )
                for r in rows
            ],
        )
        if rows
        else ["No source was ingested."]
    )
    lines += ["", "## Checks", ""]
    checks = night.checks()
    lines += (
        _table(
            ("table", "check", "status", "detail"),
            [(c.table, c.name, "passed" if c.ok else "FAILED", c.detail) for c in checks],
        )
        if checks
        else ["No check ran (the transform did not reach them)."]
    )
    lines += ["", "## Marts", ""]
    done = night.transform()
    if done is None:
        lines.append("Not built: the transform did not complete; readers keep the last version.")
    else:
        staged, marts = done
        changed = [s.day.isoformat() for s in staged if not s.skipped]
        lines.append(f"- staging days rebuilt: {', '.join(changed) or 'none'}")
        lines.append(f"- mart days recomputed: {', '.join(str(d) for d in marts.days) or 'none'}")
        lines.append(f"- tables published: {', '.join(marts.published) or 'none (unchanged)'}")
    lines += ["", "## Alert", ""]
    lines += (
        _table(("fault", "table", "day", "fix"), [(f.kind, f.table, f.day, f.fix) for f in faults])
        if faults
        else ["None: nothing to report."]
    )
    return "\n".join(lines) + "\n"
