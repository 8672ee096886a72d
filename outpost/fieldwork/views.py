"""The installable web app of the field pages: its manifest, its service worker (served at
the site's root so that it may control the field pages), the offline page the phone keeps,
and the log-out that wipes what the phone keeps."""

from pathlib import Path

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from outpost.core.viewmixins import ScopedActionView, ScopedListView
from outpost.fieldwork.models import FieldSubmission
from outpost.fieldwork.selectors import FIELD_COPY_HOURS, flagged_submissions, record_url
from outpost.fieldwork.services import submission_flag_seen

STATIC_DIR = Path(__file__).resolve().parent / "static" / "fieldwork"


def service_worker(request):
    """The service worker, at /sw.js so that its scope is the whole site (it acts only on
    the field pages). Never cached by the browser's HTTP cache: a new version is picked up
    at the next visit."""
    response = HttpResponse(
        (STATIC_DIR / "sw.js").read_text(encoding="utf-8"),
        content_type="application/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


def manifest(request):
    """The web app manifest: a Chinese name, the icon, starting at the offline page."""
    response = JsonResponse(
        {
            "name": _("Outpost field work"),
            "short_name": _("Field work"),
            "lang": get_language() or "zh-Hans",
            "start_url": reverse("fieldwork:offline"),
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#b71c1c",
            "icons": [
                {
                    "src": static("fieldwork/icon.svg"),
                    "sizes": "any",
                    "type": "image/svg+xml",
                    "purpose": "any",
                },
                {"src": static("fieldwork/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("fieldwork/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            ],
        },
        json_dumps_params={"ensure_ascii": False},
        content_type="application/manifest+json",
    )
    response["Cache-Control"] = "no-cache"
    return response


class OfflineView(LoginRequiredMixin, TemplateView):
    """The page the phone keeps (离线外勤): it holds no personal data itself; it shows the
    field copy kept on the phone, records visits, contacts and check-ins into the outbox,
    and sends the outbox when the signal returns."""

    template_name = "fieldwork/offline.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["copy_hours"] = FIELD_COPY_HOURS
        context["field_strings"] = field_strings()
        context["field_page"] = True
        return context


def field_strings() -> dict[str, str]:
    """The words of the offline page's script, in the user's language (the script holds
    none of its own)."""
    return {
        "online": pgettext("network", "Online"),
        "offline": _("Offline: records are kept on this phone and sent when the signal returns."),
        "copy_taken": _(
            "Field copy of %(grid)s taken at %(time)s; wiped %(hours)s hours later unless refreshed."
        )
        % {"grid": "{grid}", "time": "{time}", "hours": FIELD_COPY_HOURS},
        "copy_none": _("No field copy on this phone: open this page once with a signal."),
        "copy_expired": _(
            "The field copy was older than %(hours)s hours and has been wiped: "
            "open this page with a signal to take a new one."
        )
        % {"hours": FIELD_COPY_HOURS},
        "waiting": _("Waiting to be sent"),
        "send_now": _("Send now"),
        "stored": _("Stored"),
        "replayed": _("Stored (sent before)"),
        "refused": pgettext("offline record", "Refused"),
        "conflict": _("Refused: another record under this key"),
        "correct": _("Correct and resend"),
        "send_new": _("Send as a new record"),
        "discard": _("Discard"),
        "nothing_waiting": _("Nothing waiting to be sent."),
        "households": _("My grid"),
        "key_persons": _("My key persons"),
        "check_ins": _("Check-ins at my site"),
        "no_households": _("No open campaign has households of your grid."),
        "no_key_persons": _("You are not on the four-on-one team of any active key person."),
        "no_episodes": _("You are not on duty at an isolation site today."),
        "visited": _("visited"),
        "to_visit": _("to visit"),
        "overdue": _("overdue"),
        "last_contact": _("Last contact"),
        "visit": _("Visit"),
        "contact": _("Log contact"),
        "check_in": _("Check-in"),
        "outcome": _("Outcome"),
        "members": _("Members"),
        "presence": _("Presence"),
        "travelled": _("Travelled in the last 14 days"),
        "origin_place": _("Came back from"),
        "health": _("Health"),
        "phone_confirmed": _("Household phone confirmed"),
        "note": _("Note"),
        "channel": _("How"),
        "temperature": _("Temperature (°C)"),
        "symptoms": _("Symptoms"),
        "save": _("Save on this phone"),
        "cancel": _("Cancel"),
        "saved": _("Saved on this phone at %(time)s.") % {"time": "{time}"},
        "choose_outcome": _("Choose how the visit went."),
        "choose_presence": _(
            "For each member, choose whether they were at home, whether they travelled and "
            "how they are."
        ),
        "yes": _("Yes"),
        "no": _("No"),
        "choose_channel": _("Choose how the person was contacted and the outcome."),
        "enter_temperature": _("Enter the temperature."),
        "recorded_at": _("Recorded at"),
        "session_ended": _(
            "Not sent: your session ended or your account was deactivated. Log in again; "
            "the records stay on this phone."
        ),
        "send_failed": _("Not sent: no answer from the server. The records stay on this phone."),
        "confirm_logout": _(
            "Records waiting to be sent are wiped from this phone when you log out. Log out anyway?"
        ),
        "offline_link": _("Offline work"),
    }


class FieldLogoutView(auth_views.LogoutView):
    """Log out, and tell the browser to wipe what this site keeps on the phone: the field
    copy, the outbox, the cached offline page and the service worker (the log-in page's
    script does the same for browsers that ignore the header)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


class FlagListView(ScopedListView):
    """Records sent late from phones that an officer should look at (需关注的离线记录): a
    contact logged offline after the key person was closed, an earlier account of a visit
    superseded by a later one; not seen yet first."""

    model = FieldSubmission
    template_name = "fieldwork/flags.html"

    def get_queryset(self):
        return flagged_submissions(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for submission in context["object_list"]:
            submission.record_url = record_url(submission)
        context["may_mark"] = self.request.user.has_perm("fieldwork.change_fieldsubmission")
        return context


class FlagSeenView(PermissionRequiredMixin, ScopedActionView):
    """Mark a flagged record as seen (已查看); POST only."""

    model = FieldSubmission
    scope_action = "change"
    permission_required = "fieldwork.change_fieldsubmission"
    http_method_names = ["post"]
    form_class = forms.Form

    def perform(self, obj, data):
        submission_flag_seen(acting_user=self.request.user, submission=obj)
        return _("Marked as seen.")

    def get_success_url(self, obj):
        return reverse("fieldwork:flags")
