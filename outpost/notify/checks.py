"""Notify's deployment check (`outpost check --deploy`): a real channel chosen without
everything it needs warns at deployment, not at the first message that fails."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register

from outpost.notify.backends import CHANNEL_BACKENDS, missing_settings

REAL = {"http", "django", "aliyun", "tencent", "wecom_app", "wecom_robot"}
RECEIPTS = {"aliyun", "tencent"}


def channel_warnings() -> list[Warning]:
    warnings = []
    for channel in CHANNEL_BACKENDS:
        name = settings.NOTIFY.get(channel, "")
        missing = missing_settings(channel)
        if missing:
            warnings.append(
                Warning(
                    f"The {channel} channel's backend {name!r} is not usable: set "
                    + ", ".join(missing)
                    + ".",
                    hint="See the README's 'Message channels'. Until then nothing is sent "
                    "on that channel (and the notices' ladder skips its SMS step).",
                    id="notify.W001",
                )
            )
        elif name in RECEIPTS and not settings.NOTIFY.get("receipt_token"):
            warnings.append(
                Warning(
                    f"SMS goes through {name} but OUTPOST_NOTIFY_RECEIPT_TOKEN is not set: "
                    "no delivery receipt can come in, messages stay 'sent'.",
                    hint="Set a long random token and configure the receipt URL in the "
                    "provider's console (README 'Message channels').",
                    id="notify.W002",
                )
            )
        elif name in RECEIPTS and len(settings.NOTIFY.get("receipt_token", "")) < 32:
            warnings.append(
                Warning(
                    "OUTPOST_NOTIFY_RECEIPT_TOKEN is shorter than 32 characters: it is the "
                    "receipts' only authentication.",
                    id="notify.W003",
                )
            )
    return warnings


@register(Tags.security, deploy=True)
def check_channels(app_configs, **kwargs):
    if not any(settings.NOTIFY.get(channel) in REAL for channel in CHANNEL_BACKENDS):
        return []  # file and console: nothing leaves the machine, nothing to configure
    return channel_warnings()
