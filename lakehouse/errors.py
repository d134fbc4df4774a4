"""Exceptions shared across the platform; each message names what failed and what was expected."""


class PelotonError(Exception):
    """Base class: an error with a message fit to show a user as it is."""


class MissingSecretError(PelotonError):
    """A secret the chosen configuration needs is not set."""

    def __init__(self, variable: str, purpose: str) -> None:
        self.variable = variable
        super().__init__(
            f"{variable} is not set: it is required for {purpose}. Set it in the "
            "environment (or .env); there is no default."
        )


class ConfigurationError(PelotonError):
    """A setting holds a value the platform cannot use."""
