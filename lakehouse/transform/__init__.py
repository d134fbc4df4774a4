"""Transforms: the `staging` and `marts` layers computed from the raw tables."""
