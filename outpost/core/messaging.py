"""How core sends a message without knowing the app that delivers it (消息发送).

Core's accounts alert the administrators of a login under attack (an inbox message) and
mail password-reset links (an outbound e-mail). The notify app delivers both: it
registers its two senders in ``AppConfig.ready()`` as dotted paths, imported only when a
message is sent, the way recovery handlers are registered.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

_SENDERS: dict[str, str] = {}


def register_message_senders(*, alert: str, email: str) -> None:
    """`alert(recipients=, subject=, body=, url=)` puts an alert in staff inboxes;
    `email(address=, subject=, body=)` queues an e-mail. Call from ``AppConfig.ready()``."""
    _SENDERS.update(alert=alert, email=email)


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
