"""Table upkeep: compaction, snapshot expiry, orphan files, dead runs' branches, statistics."""
