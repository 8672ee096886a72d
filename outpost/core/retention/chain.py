"""The chain of purge certificates (清除证明链): each certificate's hash covers its content
and the hash of the one before it, so an edited certificate, a missing one or one put out
of order shows when the chain is verified.

The hash is SHA-256 of a canonical JSON of the certificate (sorted keys, no spaces, UTF-8,
moments in UTC ISO form): the same content gives the same hash on SQLite and PostgreSQL,
whatever order a JSON column gives its keys back in.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.utils.translation import gettext as _

from outpost.core.models import PurgeCertificate


def _moment(value: datetime.datetime | None) -> str:
    return value.astimezone(datetime.UTC).isoformat() if value else ""


def certificate_content(certificate: PurgeCertificate) -> dict:
    """What the hash covers: every field but the hash itself."""
    return {
        "sequence": certificate.sequence,
        "started_at": _moment(certificate.started_at),
        "finished_at": _moment(certificate.finished_at),
        "task_run": certificate.task_run,
        "policies": certificate.policies,
        "counts": certificate.counts,
        "held": certificate.held,
        "previous_hash": certificate.previous_hash,
    }


def canonical_json(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def certificate_hash(certificate: PurgeCertificate) -> str:
    return hashlib.sha256(canonical_json(certificate_content(certificate))).hexdigest()


@dataclass(frozen=True)
class ChainCheck:
    """The outcome of verifying the chain: how many certificates were checked, and the
    first broken one with what is wrong (None when the chain holds)."""

    checked: int
    broken_at: int | None = None
    problem: str = ""
    # The last certificate of a run still going (or that died; the next run finishes it).
    in_progress: int | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def chain_verify() -> ChainCheck:
    """Walk the certificates by number: each must follow the one before it without a gap,
    carry its hash, and hash to what it says."""
    previous_hash = ""
    expected = 1
    checked = 0
    certificates = list(PurgeCertificate.objects.order_by("sequence"))
    for index, certificate in enumerate(certificates):
        last = index == len(certificates) - 1
        if certificate.sequence != expected:
            return ChainCheck(
                checked,
                expected,
                _("Certificate #%(number)d is missing.") % {"number": expected},
            )
        if certificate.previous_hash != previous_hash:
            return ChainCheck(
                checked,
                certificate.sequence,
                _("Certificate #%(number)d does not carry the hash of the one before it.")
                % {"number": certificate.sequence},
            )
        if not certificate.record_hash:
            if last:
                return ChainCheck(checked, in_progress=certificate.sequence)
            return ChainCheck(
                checked,
                certificate.sequence,
                _("Certificate #%(number)d was never finished.") % {"number": certificate.sequence},
            )
        if certificate_hash(certificate) != certificate.record_hash:
            return ChainCheck(
                checked,
                certificate.sequence,
                _("Certificate #%(number)d was changed after it was written.")
                % {"number": certificate.sequence},
            )
        previous_hash = certificate.record_hash
        expected += 1
        checked += 1
    return ChainCheck(checked)
