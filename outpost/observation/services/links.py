"""Self-report links (自主上报链接): a private link per episode that lets the person report
their own temperature from a phone, without an account.

The token is 256 random bits sent once by SMS; only its SHA-256 is stored, so the database
cannot give the link away. A link works while the episode is open and its planned end day
has not passed (an extension moves the end, so the link follows the episode), until staff
issue a new one or revoke it.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outpost.core.audit import save_audited
from outpost.core.identity import mask_phone
from outpost.core.prepared import PreparedRead
from outpost.core.ratelimit import RateLimit, rate_limit_hit
from outpost.core.scoping import assert_in_scope
from outpost.keypersons.models import KeyPerson
from outpost.notify.services import outbound_message_send
from outpost.observation.choices import CheckInSource
from outpost.observation.models import CheckIn, Episode, ObservationPolicy, SelfReportLink
from outpost.observation.services.alerts import mobile_or_empty
from outpost.observation.services.checkins import check_in_prepare, check_in_store
from outpost.registry.models import Resident

# What a form's one-time number looks like (secrets.token_urlsafe(16) makes 22 characters).
NONCE_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,43}")


# Two or three check-ins a day, a few typos each: six reports in ten minutes is plenty
# for one person and caps what one leaked link can store.
PER_LINK = RateLimit("self-report-link", hits=6, seconds=600)
# Requests with a link that does not work, per address: a mistyped link is retried a few
# times; a scan of guessed links is not.
BAD_LINKS_PER_ADDRESS = RateLimit("self-report-bad-link", hits=30, seconds=60)


class TooManyReports(Exception):
    """The link sent more reports than `limit` allows: answer 429, retry after a while."""

    def __init__(self, limit: RateLimit):
        super().__init__(limit.name)
        self.limit = limit


class LinkUnusable(Exception):
    """The link is unknown, revoked, expired or its episode has ended. `status` is the HTTP
    status the page answers with: 404 for a link that never existed, 410 for one that did."""

    def __init__(self, message, *, status: int):
        super().__init__(message)
        self.message = message
        self.status = status


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(token: str) -> str:
    """The absolute address of a link (settings.OUTPOST_BASE_URL + the page)."""
    return settings.OUTPOST_BASE_URL + reverse("observation:self_report", args=[token])


def _end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after `day` in the station's time zone."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def _phone_of(episode: Episode) -> str:
    key_person = episode.key_person
    return key_person.resident.phone if key_person.resident_id else key_person.phone


@transaction.atomic
def link_issue(
    *, acting_user, episode: Episode, channel: str = "sms"
) -> tuple[SelfReportLink, str]:
    """A new link for `episode`, replacing (revoking) any earlier one, sent by SMS to the
    person's phone when there is one. Returns the link and its URL: the only time the URL
    exists outside the message, for staff to read out or show as a QR code."""
    assert_in_scope(episode, acting_user, "change")
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    if not episode.is_open:
        raise ValidationError({"episode": _("This observation has ended.")})
    for earlier in SelfReportLink.objects.filter(episode=episode, revoked_at__isnull=True):
        # One at a time: each audited.
        link_revoke(acting_user=acting_user, link=earlier, replaced=True)
    token = secrets.token_urlsafe(32)
    url = link_url(token)
    # Only a mobile number gets the SMS (a landline on record: staff read the link out).
    phone = mobile_or_empty(_phone_of(episode))
    link = SelfReportLink(
        episode=episode,
        token_hash=token_hash(token),
        # Masked: the full number lives in the outbound message only until it is sent.
        sent_to=mask_phone(phone) if channel else "",
        created_by=acting_user,
        expires_at=_end_of(episode.planned_end_date),
    )
    link.full_clean()
    save_audited(link, acting_user=acting_user)
    if channel and phone:
        # The person reads it in Chinese whatever language the staff member uses.
        with translation.override(settings.LANGUAGE_CODE):
            body = _(
                "Please report your temperature every day at %(times)s through your own "
                "link: %(url)s (do not share it)."
            ) % {"times": "、".join(episode.check_in_times), "url": url}
        outbound_message_send(channel=channel, address=phone, body=body)
    return link, url


@transaction.atomic
def link_revoke(*, acting_user, link: SelfReportLink, replaced: bool = False) -> SelfReportLink:
    """Stop a link from working (lost phone, link forwarded); issue a new one to replace it.
    `replaced` when a newer link takes its place, so that its holder is told which."""
    assert_in_scope(link, acting_user, "change")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.replaced = replaced
        save_audited(link, acting_user=acting_user, update_fields=["revoked_at", "replaced"])
    return link


def _ended() -> LinkUnusable:
    return LinkUnusable(gettext_lazy("Your observation has ended."), status=410)


# What the public page and a report need of a link, its episode and its person: every
# request of the morning's burst reads them. (model, its path from the link, fields).
RESOLVED_FIELDS = (
    (SelfReportLink, "", {"id", "episode_id", "token_hash", "revoked_at", "replaced"}),
    (
        Episode,
        "episode__",
        {
            "id",
            "unit_id",
            "key_person_id",
            "status",
            "start_date",
            "planned_end_date",
            "check_in_times",
        },
    ),
    (KeyPerson, "episode__key_person__", {"id", "name", "resident_id"}),
    (Resident, "episode__key_person__resident__", {"id", "name"}),
)


# `Model.from_db` takes the values of a subset of fields in the model's own order.
_IN_MODEL_ORDER = [
    (model, path, [f.attname for f in model._meta.concrete_fields if f.attname in wanted])
    for model, path, wanted in RESOLVED_FIELDS
]
_COLUMNS = [path + name for _model, path, names in _IN_MODEL_ORDER for name in names]
_LINK_READ = PreparedRead(
    lambda hashed: SelfReportLink.objects.filter(token_hash=hashed).values_list(*_COLUMNS)[:1],
    str,
)


def _resolved_link(token: str) -> SelfReportLink | None:
    """The link of `token` and its episode, key person and resident with only the
    `RESOLVED_FIELDS`, from one row. Read as values, compiled once (`PreparedRead`), and
    built with `Model.from_db` (the fields left out are deferred, as with `only()`):
    building the query of `select_related(...).only(...)` cost more than the page did."""
    row = _LINK_READ.first(token_hash(token))
    if row is None:
        return None
    values = iter(row)
    link, episode, key_person, resident = (
        model.from_db(DEFAULT_DB_ALIAS, names, [next(values) for _ in names])
        for model, _path, names in _IN_MODEL_ORDER
    )
    key_person.resident = resident if key_person.resident_id else None
    episode.key_person = key_person
    link.episode = episode
    return link


def link_resolve(token: str) -> SelfReportLink:
    """The usable link of `token`, with what the page shows of its episode and key person
    (`RESOLVED_FIELDS`); else `LinkUnusable`."""
    link = _resolved_link(token)
    if link is None:
        raise LinkUnusable(gettext_lazy("This link is not valid."), status=404)
    if link.revoked_at is not None and link.replaced:
        raise LinkUnusable(
            gettext_lazy("This link has been replaced. Please use the newest link you received."),
            status=410,
        )
    if link.revoked_at is not None:
        raise LinkUnusable(
            gettext_lazy(
                "This link has been revoked. Please ask the staff who look after you for a new one."
            ),
            status=410,
        )
    episode = link.episode
    if not episode.is_open:
        raise _ended()
    if timezone.now() >= _end_of(episode.planned_end_date):
        raise LinkUnusable(gettext_lazy("This link has expired."), status=410)
    return link


def self_report_submit(
    *, link: SelfReportLink, temperature, symptoms, form_nonce: str
) -> tuple[CheckIn, bool]:
    """Store the person's own check-in sent through their usable `link` (`link_resolve`);
    returns (check-in, created). A form sent again (a double tap, a reload) finds its
    check-in by the form's one-time number and stores nothing new.

    Every report counts against the link's limit (`PER_LINK`), refused ones too; over it,
    `TooManyReports` and nothing is stored; `LinkUnusable` when the episode ended
    meanwhile. The count and the check-in are one write
    transaction, and the form is checked before it begins: on SQLite the transaction
    holds the database's one write lock, so a burst of reports queues for as short a time
    as possible."""
    refused = None
    check_in, replayed, created = None, False, False
    try:
        if not NONCE_PATTERN.fullmatch(form_nonce or ""):
            raise ValidationError({"form_nonce": _("The form has expired. Please send it again.")})
        # The number is the person's own: prefixed with the episode, another person's form
        # can never match it.
        check_in, replayed = check_in_prepare(
            episode=link.episode,
            temperature=temperature,
            symptoms=symptoms,
            source=CheckInSource.SELF_REPORT,
            form_nonce=f"{link.episode_id}:{form_nonce}",
        )
    except ValidationError as exc:
        refused = exc
    policy = ObservationPolicy.current() if refused is None and not replayed else None
    with transaction.atomic():
        over = rate_limit_hit(limit=PER_LINK, key=link.token_hash)
        if not over and policy is not None:
            try:
                # Its own savepoint: a refused report keeps its count.
                check_in, created = check_in_store(check_in=check_in, policy=policy)
            except ValidationError as exc:
                # The episode ended since the link was resolved: the link no longer works.
                ended = "episode" in exc.message_dict
                refused = _ended() if ended else exc
    if over:
        raise TooManyReports(PER_LINK)
    if refused is not None:
        raise refused
    return check_in, created
