"""Superset: its own virtualenv, its server, the dashboards as code, and their checks."""
