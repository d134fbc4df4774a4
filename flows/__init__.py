"""Prefect flows: thin orchestration over the functions of `lakehouse`."""
