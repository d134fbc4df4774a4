"""`peloton postgres` (being written)."""
