"""The race bot: questions about the race answered from the marts, with guarded read-only SQL."""
