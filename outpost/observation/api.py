"""Observation in the JSON API: episodes with their check-ins, fever and missed-check-in
alerts, and the self-report endpoint of the person under observation. Scoped and masked like
the pages: a person shows by name, masked ID number and masked phone only."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema, Status
from ninja.pagination import paginate

from outpost.core.api_support import (
    ApiRouter,
    Code,
    ErrorOut,
    Line,
    Note,
    Pagination,
    api_get_visible,
    masked_person_fields,
    personal_data_free,
    scoped_route,
)
from outpost.core.models import Unit
from outpost.core.ratelimit import RateLimit, rate_limit_hit
from outpost.keypersons.models import KeyPerson
from outpost.observation import selectors
from outpost.observation.choices import (
    AlertKind,
    AlertStatus,
    CheckInSource,
    EndReason,
    EpisodeKind,
    EpisodeStatus,
    Symptom,
)
from outpost.observation.models import Alert, CheckIn, Episode
from outpost.observation.services.alerts import alert_acknowledge, alert_resolve
from outpost.observation.services.checkins import check_in_record
from outpost.observation.services.episodes import episode_end, episode_extend, episode_start
from outpost.observation.services.links import (
    BAD_LINKS_PER_ADDRESS,
    LinkUnusable,
    TooManyReports,
    link_resolve,
    self_report_submit,
)

router = ApiRouter(tags=["observation"])


# ---------------------------------------------------------------------------- schemas


def _key_person(obj) -> KeyPerson:
    return obj.key_person if isinstance(obj, Episode) else obj.episode.key_person


class PersonMaskedFields(masked_person_fields(_key_person)):
    """The person of an episode or alert as the API shows them: name, masked ID number and
    phone, never the full numbers."""

    @staticmethod
    def resolve_name(obj) -> str:
        return _key_person(obj).display_name

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return obj.unit.name


class EpisodeStateOut(Schema):
    """An episode without its person: what a write answers with."""

    id: int
    key_person_id: int
    kind: str
    status: str
    site_id: int | None
    previous_id: int | None
    start_date: date
    planned_end_date: date
    ended_on: date | None
    end_reason: str


class EpisodeOut(PersonMaskedFields, EpisodeStateOut):
    name: str
    id_number_masked: str
    phone_masked: str
    unit_id: int
    unit_name: str
    site_name: str | None
    check_in_times: list[str]
    end_note: str
    created_at: datetime

    @staticmethod
    def resolve_site_name(obj: Episode) -> str | None:
        return obj.site.name if obj.site_id else None


class CheckInOut(Schema):
    id: int
    episode_id: int
    taken_at: datetime
    temperature: float  # °C, one decimal
    symptoms: list[str]
    source: str
    note: str

    @staticmethod
    def resolve_temperature(obj: CheckIn) -> float:
        return float(obj.temperature)


class CheckInSummaryOut(Schema):
    count: int
    last: CheckInOut | None
    open_alerts: int


class ExtensionOut(Schema):
    previous_end_date: date
    new_end_date: date
    reason: str
    extended_at: datetime


class RoomOut(Schema):
    site_id: int
    site_name: str
    floor: str
    number: str
    checked_in_at: datetime


class EpisodeDetailOut(EpisodeOut):
    check_in_summary: CheckInSummaryOut
    chain: list[EpisodeStateOut]  # the episodes of the chain the caller may see, oldest first
    extensions: list[ExtensionOut]
    room: RoomOut | None  # the current room at a centralized isolation site


class AlertStateOut(Schema):
    """An alert without its person: what a write answers with."""

    id: int
    episode_id: int
    kind: str
    status: str
    raised_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    outcome: str
    transfer_place: str
    transferred_at: datetime | None


class AlertOut(PersonMaskedFields, AlertStateOut):
    name: str
    id_number_masked: str
    phone_masked: str
    unit_id: int
    unit_name: str
    check_in: CheckInOut | None
    slot_at: datetime | None
    escalated_at: datetime | None
    note: str


class EpisodeStartIn(Schema):
    """`start_date` defaults to today, `planned_end_date` to the plan of the person's
    category and the kind, `check_in_times` to the station's policy; centralized isolation
    needs `site_id`; `previous_id` chains the episode to an ended one of the person."""

    key_person_id: int
    kind: EpisodeKind
    start_date: date | None = None
    planned_end_date: date | None = None
    site_id: int | None = None
    check_in_times: list[Code] | None = None
    previous_id: int | None = None


class ExtendIn(Schema):
    new_end_date: date
    reason: Note


class EndIn(Schema):
    """`ended_on` defaults to today."""

    reason: EndReason
    ended_on: date | None = None
    note: Note = ""


class CheckInIn(Schema):
    """`temperature` in °C with one decimal, a number or text ("37.3", "37,3");
    `taken_at` defaults to now."""

    temperature: float | Code
    symptoms: list[Symptom] = []
    taken_at: datetime | None = None
    note: Note = ""


class CheckInCreatedOut(Schema):
    check_in: CheckInOut
    alert: AlertStateOut | None  # the fever alert this check-in raised, if any


class AlertResolveIn(Schema):
    """`transfer_place` and `transferred_at` are required for `fever_clinic`."""

    outcome: Code
    transfer_place: Line = ""
    transferred_at: datetime | None = None
    note: Note = ""


class SelfReportIn(Schema):
    """`form_nonce`: a random string the client makes once per report (e.g. a UUID) and
    sends again unchanged when it retries, so a report is never stored twice."""

    temperature: float | Code
    symptoms: list[Symptom] = []
    form_nonce: Code


class SelfReportOut(Schema):
    taken_at: datetime
    temperature: float
    symptoms: list[str]
    created: bool  # false: this form_nonce was stored already; nothing new was saved
    fever: bool  # the report raised a fever alert: the person's team will call

    @staticmethod
    def resolve_temperature(obj: CheckIn) -> float:
        return float(obj.temperature)


# ---------------------------------------------------------------------------- helpers


def _temperature(value: float | str) -> str:
    # A JSON number arrives as a float; its shortest text ("37.3") is what was typed.
    return str(value)


def _episode_detail(request: HttpRequest, episode_id: int) -> Episode:
    user = request.auth
    episode = api_get_visible(request, Episode, episode_id)
    episode = selectors.episode_detail_queryset(user=user).get(pk=episode.pk)
    episode.check_in_summary = selectors.episode_check_in_summary(user=user, episode=episode)
    episode.chain = selectors.episode_chain(user=user, episode=episode)
    stay = selectors.open_stay(episode)
    episode.room = stay and {
        "site_id": stay.room.site_id,
        "site_name": stay.room.site.name,
        "floor": stay.room.floor,
        "number": stay.room.number,
        "checked_in_at": stay.checked_in_at,
    }
    return episode


def _alert(request: HttpRequest, alert: Alert) -> Alert:
    return selectors.alert_list(user=request.auth).get(pk=alert.pk)


# ---------------------------------------------------------------------------- episodes


@router.get("/episodes", response=list[EpisodeOut], openapi_extra=scoped_route(Episode))
@paginate(Pagination)
def episode_list(
    request: HttpRequest,
    status: EpisodeStatus | None = None,
    kind: EpisodeKind | None = None,
    site_id: int | None = None,
    unit_id: int | None = None,
):
    """Observation episodes (观察期) of the caller's jurisdiction, newest first: of one
    `status` and `kind`, at one isolation site, of one community or grid and below."""
    user = request.auth
    unit = api_get_visible(request, Unit, unit_id) if unit_id is not None else None
    return selectors.episode_list(
        user=user, status=status or "", kind=kind or "", site_id=site_id, unit=unit
    )


@router.get(
    "/episodes/{episode_id}", response=EpisodeDetailOut, openapi_extra=scoped_route(Episode)
)
def episode_detail(request: HttpRequest, episode_id: int):
    """One episode with its check-ins in short (how many, the last one, open alerts), its
    chain (centralized isolation → home monitoring), extensions and current room."""
    return _episode_detail(request, episode_id)


@router.post(
    "/episodes",
    response={201: EpisodeStateOut},
    openapi_extra=scoped_route(KeyPerson, id_in_body="key_person_id"),
)
def episode_start_route(request: HttpRequest, payload: EpisodeStartIn):
    """Start an observation episode. A key person with an open episode, or closed, is a
    422; a key person, site or previous episode outside the jurisdiction is a 404."""
    key_person = api_get_visible(request, KeyPerson, payload.key_person_id)
    site = None
    if payload.site_id is not None:
        site = selectors.sites_serving(key_person.unit).filter(pk=payload.site_id).first()
        if site is None:
            raise ValidationError(
                {"site_id": _("Choose an isolation site in use that serves the person's area.")}
            )
    previous = (
        api_get_visible(request, Episode, payload.previous_id)
        if payload.previous_id is not None
        else None
    )
    episode = episode_start(
        acting_user=request.auth,
        key_person=key_person,
        kind=payload.kind,
        start_date=payload.start_date or timezone.localdate(),
        planned_end_date=payload.planned_end_date,
        site=site,
        check_in_times=payload.check_in_times,
        previous=previous,
    )
    return Status(201, episode)


@router.post(
    "/episodes/{episode_id}/extend",
    response=EpisodeStateOut,
    openapi_extra=scoped_route(Episode),
)
def episode_extend_route(request: HttpRequest, episode_id: int, payload: ExtendIn):
    """Move the planned end later (延长观察); the `reason` is required."""
    episode = api_get_visible(request, Episode, episode_id, "change")
    return episode_extend(
        acting_user=request.auth,
        episode=episode,
        new_end_date=payload.new_end_date,
        reason=payload.reason,
    )


@router.post(
    "/episodes/{episode_id}/end",
    response=EpisodeStateOut,
    openapi_extra=scoped_route(Episode),
)
def episode_end_route(request: HttpRequest, episode_id: int, payload: EndIn):
    """End an episode with a `reason` (completed, hospital, moved, other); a person in a
    room is checked out of it and the key person's state follows the reason (completed →
    released, moved → transferred, otherwise still under management)."""
    episode = api_get_visible(request, Episode, episode_id, "change")
    return episode_end(
        acting_user=request.auth,
        episode=episode,
        reason=payload.reason,
        ended_on=payload.ended_on,
        note=payload.note,
    )


# ---------------------------------------------------------------------------- check-ins


@router.get(
    "/episodes/{episode_id}/check-ins",
    response=list[CheckInOut],
    openapi_extra=scoped_route(Episode),
)
@paginate(Pagination)
def check_in_list(request: HttpRequest, episode_id: int):
    """The episode's check-ins (体温上报), the latest first."""
    episode = api_get_visible(request, Episode, episode_id)
    return selectors.episode_check_ins(user=request.auth, episode=episode)


@router.post(
    "/episodes/{episode_id}/check-ins",
    response={201: CheckInCreatedOut},
    openapi_extra=scoped_route(Episode),
)
def check_in_create(request: HttpRequest, episode_id: int, payload: CheckInIn):
    """Enter a temperature and symptoms taken by staff. A temperature outside 34.0–43.0 °C
    or not a number is a 422 naming `temperature`; an ended episode is a 422 naming
    `episode`. A fever or red-flag symptom raises an alert at once: it is in the answer."""
    episode = api_get_visible(request, Episode, episode_id, "change")
    check_in, _created = check_in_record(
        episode=episode,
        temperature=_temperature(payload.temperature),
        symptoms=list(payload.symptoms),
        taken_at=payload.taken_at,
        source=CheckInSource.STAFF,
        acting_user=request.auth,
        note=payload.note,
    )
    alert = check_in.alerts.filter(kind=AlertKind.FEVER).first()
    return Status(201, {"check_in": check_in, "alert": alert})


# ---------------------------------------------------------------------------- alerts


@router.get("/alerts", response=list[AlertOut], openapi_extra=scoped_route(Alert))
@paginate(Pagination)
def alert_list(
    request: HttpRequest,
    status: AlertStatus | None = None,
    kind: AlertKind | None = None,
    since: datetime | None = None,
):
    """Alerts (预警) of the caller's jurisdiction, the latest first: of one `status` and
    `kind`, raised at or after `since`."""
    return selectors.alert_list(
        user=request.auth, status=status or "", kind=kind or "", since=since
    )


@router.get("/alerts/{alert_id}", response=AlertOut, openapi_extra=scoped_route(Alert))
def alert_detail(request: HttpRequest, alert_id: int):
    return _alert(request, api_get_visible(request, Alert, alert_id))


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response=AlertOut,
    openapi_extra=scoped_route(Alert),
)
def alert_acknowledge_route(request: HttpRequest, alert_id: int):
    """Acknowledge an open alert (已接收): it stops escalating. Acknowledged or resolved
    already: 422 naming `status`."""
    alert = api_get_visible(request, Alert, alert_id, "change")
    alert = alert_acknowledge(acting_user=request.auth, alert=alert)
    return _alert(request, alert)


@router.post(
    "/alerts/{alert_id}/resolve",
    response=AlertStateOut,
    openapi_extra=scoped_route(Alert),
)
def alert_resolve_route(request: HttpRequest, alert_id: int, payload: AlertResolveIn):
    """Resolve an alert with its `outcome` (已处置): a fever alert as fever_clinic (with
    `transfer_place` and `transferred_at`), retest_normal or false_reading; a missed
    check-in as reported_late, reached or fever_clinic. An open alert is acknowledged too."""
    alert = api_get_visible(request, Alert, alert_id, "change")
    return alert_resolve(
        acting_user=request.auth,
        alert=alert,
        outcome=payload.outcome,
        transfer_place=payload.transfer_place,
        transferred_at=payload.transferred_at,
        note=payload.note,
    )


# ---------------------------------------------------------------------------- self-report


def _link_unusable(request: HttpRequest, response: HttpResponse, exc: LinkUnusable) -> Status:
    # As on the page: requests with a link that does not work are counted per address.
    if rate_limit_hit(limit=BAD_LINKS_PER_ADDRESS, key=request.META.get("REMOTE_ADDR", "")):
        return _too_many(response, BAD_LINKS_PER_ADDRESS)
    return Status(exc.status, {"detail": str(exc.message)})


def _too_many(response: HttpResponse, limit: RateLimit) -> Status:
    response["Retry-After"] = str(limit.seconds)
    return Status(429, {"detail": _("Too many reports. Please try again in a few minutes.")})


@router.post(
    "/self-report/{token}",
    auth=None,
    response={
        200: SelfReportOut,
        201: SelfReportOut,
        404: ErrorOut,
        410: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
    openapi_extra=personal_data_free(
        "the person's own report through their private link (the token is the credential); "
        "answers with what they sent only"
    ),
)
def self_report(request: HttpRequest, response: HttpResponse, token: str, payload: SelfReportIn):
    """The person under observation reports their temperature and symptoms (自主上报)
    without logging in: the token of their self-report link is the credential. A link that
    never existed is a 404; a revoked or expired one, or one of an ended observation, a
    410. Rate-limited like the page, per link and (for links that do not work) per
    address: 429 with Retry-After. A `form_nonce` sent again answers 200 with the report
    stored the first time and stores nothing; a new report answers 201."""
    try:
        link = link_resolve(token)
    except LinkUnusable as exc:
        return _link_unusable(request, response, exc)
    try:
        check_in, created = self_report_submit(
            link=link,
            temperature=_temperature(payload.temperature),
            symptoms=list(payload.symptoms),
            form_nonce=payload.form_nonce,
        )
    except TooManyReports as exc:
        return _too_many(response, exc.limit)
    except LinkUnusable as exc:
        return _link_unusable(request, response, exc)
    check_in.created = created
    check_in.fever = check_in.alerts.filter(kind=AlertKind.FEVER).exists()
    return Status(201 if created else 200, check_in)
