"""One module per channel, each with `send(delivery)`: return when delivered, raise to
retry, raise PermanentFailure when retrying cannot help."""


class PermanentFailure(Exception):
    """The delivery cannot succeed (e.g. its webhook endpoint was deactivated)."""
