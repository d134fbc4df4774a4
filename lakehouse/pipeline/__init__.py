"""The nightly pipeline: its steps and their dependencies, the run's summary, its alert."""
