"""Staff pages of the questions and answers: the queue, quick logging, answering with
suggestions, hand-off, and the FAQ's review. Thin: they parse, call a service or
selector, and render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from outpost.core.models import Unit
from outpost.core.viewmixins import (
    ScopedActionView,
    ScopedDetailView,
    ScopedListView,
    ScopedViewMixin,
    form_add_service_errors,
)
from outpost.inquiries import selectors, services
from outpost.inquiries.choices import FaqStatus, QuestionStatus
from outpost.inquiries.forms import (
    AnswerForm,
    CorrectionForm,
    FaqProposeForm,
    FaqReviewForm,
    FaqReviseForm,
    HandOffForm,
    QuickLogForm,
)
from outpost.inquiries.models import FaqEntry, Question


class QueueView(ScopedListView):
    """The answer queue (待答问题): deadline first; views for overdue, handed off, answered."""

    model = Question
    template_name = "inquiries/queue.html"

    def view_name(self) -> str:
        view = self.request.GET.get("view", selectors.OPEN)
        return view if view in selectors.QUEUE_VIEWS else selectors.OPEN

    def get_queryset(self):
        return selectors.question_queue(user=self.request.user, view=self.view_name())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["view"] = self.view_name()
        context["views"] = [
            (selectors.OPEN, _("To answer")),
            (selectors.OVERDUE, _("Overdue")),
            (selectors.HANDED_OFF, _("Handed off")),
            (selectors.ANSWERED, _("Answered")),
            (selectors.ALL, _("All")),
        ]
        context["now"] = timezone.now()
        return context


class QuickLogView(ScopedViewMixin, PermissionRequiredMixin, View):
    """Log questions one after another: the unit and channel stay chosen, the cursor
    returns to the text. As the text is typed (htmx), likely duplicates are shown."""

    model = Question
    permission_required = "inquiries.add_question"
    template_name = "inquiries/log.html"

    def units(self):
        return Unit.objects.visible_to(self.request.user).order_by("path")

    def get(self, request):
        form = QuickLogForm(initial=self._remembered(request.GET), units=self.units())
        if getattr(request, "htmx", False) and "text" in request.GET:
            return self._duplicates(request)
        return self.render(form)

    def _remembered(self, data) -> dict:
        initial = {}
        for field in ("unit", "channel", "urgency"):
            if data.get(field):
                initial[field] = data[field]
        return initial

    def _duplicates(self, request):
        unit = self.units().filter(pk=request.GET.get("unit") or 0).first()
        hits = []
        if unit is not None and request.GET.get("text", "").strip():
            hits = selectors.duplicates(
                user=request.user, unit=unit, text=request.GET["text"][:1000]
            )
        return render(request, "inquiries/partials/duplicates.html", {"hits": hits})

    def post(self, request):
        form = QuickLogForm(request.POST, units=self.units())
        if form.is_valid():
            data = form.cleaned_data
            try:
                question = services.question_log(
                    acting_user=request.user,
                    unit=data["unit"],
                    channel=data["channel"],
                    text=data["text"],
                    phone=data["phone"],
                    urgency=data["urgency"],
                )
            except PermissionDenied as exc:
                raise Http404 from exc
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, _("Logged: %(text)s") % {"text": question.text[:30]})
                query = urlencode(
                    {
                        "unit": data["unit"].pk,
                        "channel": data["channel"],
                        "urgency": data["urgency"],
                    }
                )
                return HttpResponseRedirect(f"{reverse('inquiries:log')}?{query}")
        return self.render(form, status=422)

    def render(self, form, status=200):
        recent = selectors.question_queue(user=self.request.user, view=selectors.ALL)[:10]
        return render(
            self.request, self.template_name, {"form": form, "recent": recent}, status=status
        )


def _suggestions(request, question: Question, text: str):
    return selectors.suggestions(user=request.user, question=question, text=text[:2000])


class QuestionDetailView(ScopedDetailView):
    """A question with its answer form; as the answer is typed (htmx), the most similar
    FAQ entries and earlier answers are suggested."""

    model = Question
    template_name = "inquiries/detail.html"
    partial_template_name = "inquiries/partials/suggestions.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(
                "unit", "faq_used", "notice", "answer_message", "answered_by", "handed_by"
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        question = self.object
        user = self.request.user
        context["suggestions"] = _suggestions(
            self.request, question, self.request.GET.get("answer", "")
        )
        context["can_answer"] = question.status != QuestionStatus.ANSWERED and user.has_perm(
            "inquiries.change_question"
        )
        context["can_propose"] = question.status == QuestionStatus.ANSWERED and user.has_perm(
            "inquiries.add_faqentry"
        )
        if context["can_answer"]:
            context["form"] = AnswerForm(user=user)
            context["handoff_form"] = HandOffForm()
        context["duplicates"] = selectors.duplicates(
            user=user, unit=question.unit, text=question.text, exclude_pk=question.pk
        )
        return context


def _faq_for_answer(question: Question, pk) -> FaqEntry | None:
    if not pk:
        return None
    entries = selectors.faq_public(unit=question.unit)
    return next((entry for entry in entries if entry.pk == pk), None)


class AnswerView(ScopedActionView):
    model = Question
    scope_action = "change"
    template_name = "inquiries/answer.html"

    def get_form(self, obj, data=None):
        return AnswerForm(data, user=self.request.user)

    def perform(self, obj, data):
        services.question_answer(
            acting_user=self.request.user,
            question=obj,
            answer=data["answer"],
            faq_used=_faq_for_answer(obj, data.get("faq_used")),
            notice=data.get("notice"),
            send_sms=data.get("send_sms", False),
        )
        return _("Answered.")


class HandOffView(ScopedActionView):
    model = Question
    scope_action = "change"
    template_name = "inquiries/handoff.html"
    form_class = HandOffForm

    def perform(self, obj, data):
        services.question_hand_off(
            acting_user=self.request.user,
            question=obj,
            department=data["department"],
            note=data["note"],
        )
        return _("Hand-off recorded.")


class FaqProposeView(ScopedActionView):
    """Propose an answered question's answer as an FAQ entry (an officer reviews it)."""

    model = Question
    scope_action = "view"
    template_name = "inquiries/faq_propose.html"

    def get_form(self, obj, data=None):
        initial = {"question": obj.text[:300], "answer": obj.answer, "notice": obj.notice_id}
        if obj.faq_used_id:
            initial["category"] = obj.faq_used.category
        return FaqProposeForm(data, initial=initial, user=self.request.user)

    def perform(self, obj, data):
        self.entry = services.faq_propose(
            acting_user=self.request.user,
            unit=obj.unit,
            category=data["category"],
            question=data["question"],
            answer=data["answer"],
            notice=data.get("notice"),
        )
        return _("Proposed for the FAQ: an officer reviews it before it is published.")

    def get_success_url(self, obj):
        return self.entry.get_absolute_url()


class FaqListView(ScopedListView):
    model = FaqEntry
    template_name = "inquiries/faq_list.html"

    def status(self) -> str:
        status = self.request.GET.get("status", "")
        return status if status in FaqStatus.values else ""

    def get_queryset(self):
        return selectors.faq_list(user=self.request.user, status=self.status())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["status"] = self.status()
        context["statuses"] = FaqStatus.choices
        return context


class FaqDetailView(ScopedDetailView):
    model = FaqEntry
    template_name = "inquiries/faq_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry, user = self.object, self.request.user
        context["can_review"] = entry.status == FaqStatus.PENDING and user.has_perm(
            "inquiries.review_faqentry"
        )
        context["can_revise"] = entry.status in (
            FaqStatus.STALE,
            FaqStatus.REJECTED,
            FaqStatus.PUBLISHED,
        ) and user.has_perm("inquiries.change_faqentry")
        recipients = services.correction_recipients(entry).filter(
            pk__in=Question.objects.visible_to(user, "change").values("pk")
        )
        context["correction_count"] = recipients.count() if entry.stale_notice_id else 0
        context["can_correct"] = context["correction_count"] > 0 and user.has_perm(
            "inquiries.change_question"
        )
        return context


class FaqReviewView(PermissionRequiredMixin, ScopedActionView):
    model = FaqEntry
    scope_action = "change"
    permission_required = "inquiries.review_faqentry"
    template_name = "inquiries/faq_action.html"
    form_class = FaqReviewForm

    def get_context(self, obj):
        return {"title": _("Review the FAQ entry"), "button": _("Save the decision")}

    def perform(self, obj, data):
        publish = data["decision"] == "publish"
        services.faq_review(
            acting_user=self.request.user, entry=obj, publish=publish, note=data["note"]
        )
        return _("Published.") if publish else _("Rejected.")


class FaqReviseView(ScopedActionView):
    model = FaqEntry
    scope_action = "change"
    template_name = "inquiries/faq_action.html"

    def get_form(self, obj, data=None):
        return FaqReviseForm(data, initial={"answer": obj.answer}, user=self.request.user)

    def get_context(self, obj):
        return {"title": _("Revise the FAQ entry"), "button": _("Send for review")}

    def perform(self, obj, data):
        services.faq_revise(
            acting_user=self.request.user,
            entry=obj,
            answer=data["answer"],
            notice=data.get("notice"),
        )
        return _("Revised: an officer reviews it before it is published again.")


class FaqCorrectionView(ScopedActionView):
    """Send the correction to everyone whose answer cited the replaced notice."""

    model = FaqEntry
    scope_action = "change"
    template_name = "inquiries/faq_action.html"
    form_class = CorrectionForm

    def get_context(self, obj):
        return {"title": _("Send the correction"), "button": _("Send the correction")}

    def perform(self, obj, data):
        sent = services.faq_correction_send(
            acting_user=self.request.user, entry=obj, text=data["text"]
        )
        return _("Correction sent for %(n)d answered questions.") % {"n": sent}


class PublicLinksView(PermissionRequiredMixin, View):
    """The public page's link and QR code of each unit of the user's subtree, to print
    or share in chat groups."""

    permission_required = "inquiries.add_question"

    def get(self, request):
        units = Unit.objects.visible_to(request.user).order_by("path")
        from outpost.inquiries.views_public import qr_available

        return render(request, "inquiries/links.html", {"units": units, "qr": qr_available()})
