"""`peloton doctor` (being written)."""
