"""`peloton sim` (being written)."""
