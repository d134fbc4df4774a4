"""The SQL guard: a query the bot may run is one read-only SELECT over the marts and views.

Every query, the model's and the offline templates' alike, goes through `guard` before Trino
sees it. It is parsed with sqlglot's Trino dialect and refused unless: it is exactly one
statement whose root is a SELECT (WITH included) or a set operation (UNION, INTERSECT, EXCEPT);
nothing anywhere in its tree writes, defines, sets, calls or was left unparsed (a `Command`);
no table is a table function (`TABLE(system.query(...))`); the only time travel is a mart read
as published after a stage (`FOR VERSION AS OF 'stage-NN'`, lakehouse.lake.tags); every table is
on the allow-list (the marts and views, as `schema.table`); every join has a condition (no
cross product); and every column exists in the tables it is read from. Comments are dropped
and a LIMIT is enforced. What Trino then runs is the SQL regenerated from the checked tree,
never the text as given. The server is the second wall: the `bot` user reads only the marts
and views, through a catalog that refuses every write (trino/README.md, Access control).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError, SqlglotError
from sqlglot.optimizer.qualify import qualify

from lakehouse.errors import PelotonError
from lakehouse.lake.tags import STAGE_TAG

DIALECT = "trino"
CATALOG = "lakehouse"
"""The readers' catalog: a table may name it, or no catalog at all."""
MARTS = "marts"
"""The schema whose tables keep stage tags: the only time travel allowed reads one of them."""
MAX_ROWS = 200
"""The LIMIT every query gets at most."""

Columns = dict[str, str]
"""A table's columns: name to SQL type."""
Allowed = dict[str, Columns]
"""The tables the bot may read, `schema.table` to their columns."""

FORBIDDEN: tuple[type[exp.Expr], ...] = (
    exp.DDL,
    exp.DML,
    exp.Command,
    exp.Set,
    exp.Use,
    exp.Grant,
    exp.Revoke,
    exp.Describe,
    exp.Comment,
    exp.Refresh,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Pragma,
    exp.Analyze,
    exp.Kill,
    exp.Alter,
    exp.Drop,
    exp.TruncateTable,
    exp.Cache,
    exp.Uncache,
    exp.LoadData,
    exp.Execute,
    exp.Show,
    exp.Declare,
    exp.Into,
)
"""Nodes that write, define, set, call or were not understood: refused anywhere in a tree."""
ROOTS = (exp.Select, exp.SetOperation)


class RefusedQuery(PelotonError):
    """The guard refused a query; the message says why, fit to show a user or a model."""


class UnknownColumn(RefusedQuery):
    """A query names a column that its tables do not have (the model gets one more try)."""


@dataclass(frozen=True)
class Guarded:
    """A query the guard accepted: the SQL to run and the tables it reads."""

    sql: str
    tables: tuple[str, ...]


def guard(sql: str, allowed: Allowed, max_rows: int = MAX_ROWS) -> Guarded:
    """`sql` checked against the rules of this module and rewritten; RefusedQuery otherwise."""
    if not sql or not sql.strip():
        raise RefusedQuery("the query is empty")
    try:
        statements = [s for s in sqlglot.parse(sql, read=DIALECT) if s is not None]
    except SqlglotError as exc:
        raise RefusedQuery(f"the query does not parse as Trino SQL: {_first_line(exc)}") from None
    if len(statements) != 1:
        raise RefusedQuery(f"exactly one statement is allowed, the query has {len(statements)}")
    tree = statements[0]
    if not isinstance(tree, ROOTS):
        raise RefusedQuery(
            f"only SELECT, WITH and UNION queries are allowed, not {tree.key.upper()}"
        )
    for node in tree.walk():
        _check_node(node)
    tables = _check_tables(tree, allowed)
    _check_columns(tree, allowed)
    return Guarded(_limited(tree, max_rows).sql(dialect=DIALECT, comments=False), tables)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _check_node(node: exp.Expr) -> None:
    if isinstance(node, FORBIDDEN):
        raise RefusedQuery(f"{node.key.upper()} is not allowed: the bot only reads")
    if isinstance(node, exp.Version) and not _stage_tag_read(node):
        raise RefusedQuery(
            "time travel is allowed only as FOR VERSION AS OF 'stage-NN' on a mart (the mart as "
            "published after stage NN): no branch, snapshot id or timestamp"
        )
    if isinstance(node, exp.Table) and not isinstance(node.this, exp.Identifier):
        raise RefusedQuery("table functions are not allowed: read the marts and views")
    if isinstance(node, exp.UDTF) and not isinstance(node, exp.Unnest | exp.Lateral):
        raise RefusedQuery(f"{node.key.upper()} is not allowed: read the marts and views")
    if isinstance(node, exp.Join) and not _has_condition(node):
        raise RefusedQuery(
            "a join without a condition (CROSS JOIN or a comma) is not allowed: join on keys"
        )


def _stage_tag_read(version: exp.Version) -> bool:
    """`marts.<table> FOR VERSION AS OF 'stage-NN'` (or `'stage-NN-vK'`, an earlier
    publication): a stage tag, set by the publishing commit (lakehouse.lake.tags)."""
    tag = version.expression
    table = version.parent
    return (
        str(version.this).upper() == "VERSION"
        and str(version.args.get("kind", "")).upper() == "AS OF"
        and isinstance(tag, exp.Literal)
        and tag.is_string
        and STAGE_TAG.fullmatch(tag.this) is not None
        and isinstance(table, exp.Table)
        and table.db.lower() == MARTS
    )


def _has_condition(join: exp.Join) -> bool:
    if join.args.get("using"):
        return True
    on = join.args.get("on")
    if on is not None:
        return on.find(exp.Column) is not None  # ON TRUE or ON 1 = 1 is a cross product
    return isinstance(join.this, exp.Unnest)  # UNNEST of the row's own array


def _check_tables(tree: exp.Expr, allowed: Allowed) -> tuple[str, ...]:
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    read: list[str] = []
    for table in tree.find_all(exp.Table):
        name, schema, catalog = table.name.lower(), table.db.lower(), table.catalog.lower()
        if not schema and not catalog and name in ctes:
            continue
        if catalog and catalog != CATALOG:
            raise RefusedQuery(f"catalog {catalog!r} is not allowed: only {CATALOG!r}")
        qualified = f"{schema}.{name}" if schema else name
        if qualified not in allowed:
            near = [t for t in sorted(allowed) if t.endswith("." + name)]
            hint = f" (did you mean {near[0]}?)" if near else ""
            known = ", ".join(sorted(allowed))
            raise RefusedQuery(f"table {qualified!r} is not allowed{hint}; the bot reads: {known}")
        read.append(qualified)
    return tuple(dict.fromkeys(read))


def _check_columns(tree: exp.Expr, allowed: Allowed) -> None:
    schema: dict[str, object] = {CATALOG: _nested(allowed)}
    try:
        qualify(
            tree.copy(),
            catalog=CATALOG,
            schema=schema,
            dialect=DIALECT,
            validate_qualify_columns=True,
            identify=False,
        )
    except OptimizeError as exc:
        raise UnknownColumn(_column_message(str(exc), tree, allowed)) from None


def _nested(allowed: Allowed) -> dict[str, dict[str, Columns]]:
    nested: dict[str, dict[str, Columns]] = {}
    for qualified, columns in allowed.items():
        schema, table = qualified.split(".", 1)
        nested.setdefault(schema, {})[table] = columns
    return nested


def _column_message(error: str, tree: exp.Expr, allowed: Allowed) -> str:
    names = []
    for table in tree.find_all(exp.Table):
        qualified = f"{table.db.lower()}.{table.name.lower()}"
        if qualified in allowed:
            names.append(f"{qualified}: {', '.join(allowed[qualified])}")
    known = "; ".join(dict.fromkeys(names))
    return f"{_first_line(Exception(error))}. Columns that exist: {known or 'none'}"


def _limited(tree: exp.Expr, max_rows: int) -> exp.Expr:
    """The tree with a LIMIT of at most `max_rows` on its outermost query."""
    limit = tree.args.get("limit")
    current = _literal_int(limit.expression) if isinstance(limit, exp.Limit) else None
    if current is not None and current <= max_rows:
        return tree
    if isinstance(tree, exp.SetOperation):
        return exp.select("*").from_(tree.subquery("q")).limit(max_rows)
    assert isinstance(tree, exp.Select)
    return tree.limit(max_rows, copy=True)


def _literal_int(node: exp.Expr | None) -> int | None:
    if isinstance(node, exp.Literal) and node.is_int:
        return int(node.this)
    return None
