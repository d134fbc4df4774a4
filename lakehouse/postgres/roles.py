"""The read-only role that extraction and Trino's source catalog use: it may read, nothing more.

The embedded server's bootstrap superuser only sets things up (the database, this role, the
simulator's load); the role gets SELECT on every table that user creates, now and later, and
its sessions are read-only by default as well.
"""

from __future__ import annotations

READER = "peloton_reader"


def ensure_reader(admin_url: str, owner: str, password: str, role: str = READER) -> None:
    """Create (or update) `role`: login with `password`, read-only, SELECT on `owner`'s tables."""
    import psycopg
    from psycopg import sql

    name, creator = sql.Identifier(role), sql.Identifier(owner)
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
        exists = conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone()
        verb = sql.SQL("alter" if exists else "create")
        conn.execute(
            sql.SQL("{} role {} login nosuperuser nocreatedb nocreaterole password {}").format(
                verb, name, sql.Literal(password)
            )
        )
        conn.execute(sql.SQL("alter role {} set default_transaction_read_only = on").format(name))
        database = conn.execute("select current_database()").fetchone()
        assert database is not None
        conn.execute(
            sql.SQL("grant connect on database {} to {}").format(sql.Identifier(database[0]), name)
        )
        for privilege in ("select on tables", "usage on schemas"):
            conn.execute(
                sql.SQL(
                    "alter default privileges for role {} grant " + privilege + " to {}"
                ).format(creator, name)
            )
        schemas = conn.execute(
            "select nspname from pg_namespace n join pg_roles r on r.oid = n.nspowner "
            "where r.rolname = %s and nspname not like 'pg\\_%%' "
            "and nspname <> 'information_schema'",
            (owner,),
        ).fetchall()
        for (schema,) in schemas:
            target = sql.Identifier(schema)
            conn.execute(sql.SQL("grant usage on schema {} to {}").format(target, name))
            conn.execute(
                sql.SQL("grant select on all tables in schema {} to {}").format(target, name)
            )
