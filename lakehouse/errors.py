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


class UnavailableError(PelotonError):
    """A server did not answer, stopped answering or dropped the connection: a retry may work."""

    retryable = True


class SelectionError(PelotonError):
    """A stage or day asked for on the command line or as a flow parameter does not exist."""


# What running again cannot change: the input, the code or the configuration is wrong.
PERMANENT: tuple[type[BaseException], ...] = (
    FileNotFoundError,
    PermissionError,
    IsADirectoryError,
    NotADirectoryError,
    ValueError,  # pyarrow's ArrowInvalid and UnicodeDecodeError among them
    TypeError,
    KeyError,
    AttributeError,
    NotImplementedError,
    AssertionError,
)


def retryable(exc: BaseException) -> bool:
    """Whether trying again may succeed: a lost connection, a timeout, a commit conflict, yes;
    a Peloton error (refused input, missing setting, a run holding the lakehouse) or a bad
    file, argument or permission, no."""
    if isinstance(exc, PelotonError):
        return bool(getattr(exc, "retryable", False))
    return not isinstance(exc, PERMANENT)
