"""`peloton demo` (being written)."""
