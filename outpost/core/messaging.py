"""How core sends a message without knowing the app that delivers it (消息发送).

Core's accounts alert the administrators of a login under attack (an inbox message) and
mail password-reset links (an outbound e-mail); its exports and imports tell the user who
asked when they are ready or failed (an inbox notice in that user's language). The notify
app delivers them all: it registers its senders in ``AppConfig.ready()`` as dotted paths, imported only when a
message is sent, the way recovery handlers are registered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

_SENDERS: dict[str, str] = {}


def register_message_senders(*, alert: str, email: str, notice: str) -> None:
    """`alert(recipients=, subject=, body=, url=)` puts an alert in staff inboxes;
    `email(address=, subject=, body=)` queues an e-mail; `notice(recipients=, kind=,
    compose=, url=)` puts a notice of a kind in staff inboxes, `compose()` giving its
    (subject, body) in each recipient's language. Call from ``AppConfig.ready()``."""
    _SENDERS.update(alert=alert, email=email, notice=notice)


def _sender(kind: str):
    try:
        return import_string(_SENDERS[kind])
    except KeyError:
        raise ImproperlyConfigured(f"no app registered a {kind} sender") from None


def staff_alert_send(*, recipients: Iterable, subject: str, body: str, url: str = "") -> None:
    """Alert these staff users in their inboxes."""
    _sender("alert")(recipients=recipients, subject=subject, body=body, url=url)


def email_send(*, address: str, subject: str, body: str) -> None:
    """Queue an e-mail to an address."""
    _sender("email")(address=address, subject=subject, body=body)


# The kinds of notice core sends (the notify app's message kinds of the same names).
NOTICE_EXPORT = "export"
NOTICE_IMPORT = "import"


def staff_notice_send(
    *, recipients: Iterable, kind: str, compose: Callable[[], tuple[str, str]], url: str
) -> None:
    """Tell these staff users something in their inboxes, each in their own language:
    `compose()` is called in each language and gives (subject, body)."""
    _sender("notice")(recipients=recipients, kind=kind, compose=compose, url=url)
