"""Peloton's core library: settings, sources, catalog and storage access, the `peloton` CLI."""

__version__ = "0.1.0"
