"""The source database: the embedded PostgreSQL server and connections to any PostgreSQL."""
