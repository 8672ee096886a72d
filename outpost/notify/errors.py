"""What a backend answers: `Sent` when the provider took the message, `DeliveryError` when
it will never take it (a template rejected, a number that is not a number), and
`RetryableError` when it may take it later (rate-limited, a timeout, a server error)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sent:
    """The provider took the message: its own id for it (matched by the receipts), and
    whether its answer already says the message reached the person (WeCom: no receipt
    follows; it is in the recipient's WeCom)."""

    provider_id: str = ""
    delivered: bool = False


class DeliveryError(Exception):
    """The message cannot be sent: trying again will not help."""

    retryable = False

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class RetryableError(DeliveryError):
    """The provider did not take the message this time (a timeout, a server error): it is
    tried again later, after `retry_after` seconds when the provider says how long."""

    retryable = True

    def __init__(self, message: str, *, code: str = "", retry_after: float | None = None):
        super().__init__(message, code=code)
        self.retry_after = retry_after


class RateLimited(RetryableError):
    """The provider refused for now: too many messages (in all, or to this number)."""
