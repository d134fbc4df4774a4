"""Trino: install, configure, start and query the engine that reads the lakehouse."""
