"""`peloton demo`'s steps: the query engine and the dashboards started on the demo's lakehouse,
a flyby and a bot answer drawn from it, what to try next, and each step's time."""
