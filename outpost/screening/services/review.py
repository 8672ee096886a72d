"""The review queue (比对人工确认): accept or reject the uncertain links of a run. Each
decision is remembered for later runs (`match_decision_record`) and applied to the run at
once, with its counts."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext as _

from outpost.core.exceptions import Conflict
from outpost.core.scoping import assert_in_scope
from outpost.screening.choices import LinkStatus
from outpost.screening.models import FeedRow, ScreeningResult, ScreeningRun
from outpost.screening.selectors import origin_category_for
from outpost.screening.services.decisions import match_decision_record
from outpost.screening.services.discrepancies import travel_discrepancies_raise


def _check_may_review(user) -> None:
    if not user.has_perm("screening.add_matchdecision"):
        raise PermissionDenied(_("Your role may not decide matches."))


def _review_results(user, run_id: int, identity_key: str):
    """The run's review rows of one feed identity, locked, if the user may see the run."""
    if not ScreeningRun.objects.visible_to(user).filter(pk=run_id).exists():
        raise Http404(ScreeningRun._meta.verbose_name)
    return list(
        ScreeningResult.objects.visible_to(user, "change")
        .select_for_update(of=("self",))
        .filter(run_id=run_id, identity_key=identity_key, status=LinkStatus.REVIEW)
        .select_related("resident")
        .order_by("pk")
    )


def _review_result(user, result: ScreeningResult) -> ScreeningResult:
    """The result to decide, as stored now; missing, out of scope or of a run the user
    cannot see: 404; already decided: an error that says so."""
    try:
        current = (
            ScreeningResult.objects.visible_to(user, "change")
            .select_for_update(of=("self",))
            .select_related("run", "resident")
            .get(pk=result.pk)
        )
    except ScreeningResult.DoesNotExist:
        raise Http404(ScreeningResult._meta.verbose_name) from None
    if not ScreeningRun.objects.visible_to(user).filter(pk=current.run_id).exists():
        raise Http404(ScreeningResult._meta.verbose_name)
    if current.status != LinkStatus.REVIEW:
        raise Conflict(_("This match has already been decided."))
    return current


def _row_keys(results) -> set[tuple]:
    return {(s.get("feed"), s.get("row")) for r in results for s in r.sources or []}


def _best_category(result: ScreeningResult):
    """The origin category and arrival date the result's feed rows give (the most important
    category, as the engine's runs choose it)."""
    row_ids = [s.get("row_id") for s in result.sources or [] if isinstance(s.get("row_id"), int)]
    best = None
    for code, arrival in FeedRow.objects.filter(pk__in=row_ids).values_list(
        "origin_region_code", "arrival_date"
    ):
        category = origin_category_for(code, arrival)
        rank = (category is None, category.order if category else 0)
        if best is None or rank < best[0]:
            best = (rank, category, arrival)
    return (best[1], best[2]) if best else (None, None)


def _run_counts_refresh(
    run: ScreeningRun, *, rows_settled: int, rows_unmatched: int, discrepancies: int = 0
) -> None:
    """Recount the run's residents per category and to review after a decision; the feed
    rows it settled leave the review count (to unmatched when nobody was accepted)."""
    run = ScreeningRun.objects.select_for_update().get(pk=run.pk)
    counts = dict(run.counts or {})
    by_category: dict[str, int] = {}
    linked = review = 0
    for code, status, n in (
        ScreeningResult.objects.filter(run=run)
        .order_by()
        .values_list("category__code", "status")
        .annotate(n=Count("pk"))
    ):
        if status == LinkStatus.REVIEW:
            review += n
            continue
        linked += n
        if code is not None:
            by_category[code] = by_category.get(code, 0) + n
    counts.update(
        categories=by_category,
        linked=linked,
        review=review,
        review_rows=max(0, counts.get("review_rows", 0) - rows_settled),
        unmatched_rows=counts.get("unmatched_rows", 0) + rows_unmatched,
        discrepancies=counts.get("discrepancies", 0) + discrepancies,
    )
    run.counts = counts
    run.save(update_fields=["counts"])


@transaction.atomic
def match_review_accept(*, acting_user, result: ScreeningResult) -> ScreeningResult:
    """ "This is the person": link the feed identity to the result's resident, in this run
    (status decided, with its origin category; the other candidates leave the queue) and in
    every later one. Raises a concealed-travel discrepancy when the declarations disagree."""
    _check_may_review(acting_user)
    result = _review_result(acting_user, result)
    match_decision_record(
        acting_user=acting_user, identity_key=result.identity_key, resident=result.resident
    )
    others = [
        r
        for r in _review_results(acting_user, result.run_id, result.identity_key)
        if r.pk != result.pk
    ]
    rows = _row_keys([result, *others])
    ScreeningResult.objects.filter(pk__in=[r.pk for r in others]).delete()
    result.category, result.arrival_date = _best_category(result)
    result.status = LinkStatus.DECIDED
    result.full_clean()
    result.save(update_fields=["category", "arrival_date", "status"])
    raised = travel_discrepancies_raise(run=result.run, results=[result])
    _run_counts_refresh(result.run, rows_settled=len(rows), rows_unmatched=0, discrepancies=raised)
    assert_in_scope(result, acting_user, "view")
    return result


@transaction.atomic
def match_review_reject(*, acting_user, result: ScreeningResult) -> None:
    """ "Not this person": the result's resident is never linked to this feed identity again;
    the candidate leaves this run's queue (the identity's rows become unmatched when it was
    the last candidate)."""
    _check_may_review(acting_user)
    result = _review_result(acting_user, result)
    match_decision_record(
        acting_user=acting_user,
        identity_key=result.identity_key,
        resident=result.resident,
        rejected=True,
    )
    rest = [
        r
        for r in _review_results(acting_user, result.run_id, result.identity_key)
        if r.pk != result.pk
    ]
    settled = 0 if rest else len(_row_keys([result]))
    result.delete()
    _run_counts_refresh(result.run, rows_settled=settled, rows_unmatched=settled)


@transaction.atomic
def match_review_reject_all(*, acting_user, run: ScreeningRun, identity_key: str) -> int:
    """ "None of these": the feed identity is nobody of the registry, in this run (its rows
    become unmatched) and in later ones. Returns how many candidates left the queue."""
    _check_may_review(acting_user)
    results = _review_results(acting_user, run.pk, identity_key)
    if not results:
        raise Http404(ScreeningResult._meta.verbose_name)
    match_decision_record(acting_user=acting_user, identity_key=identity_key, resident=None)
    rows = _row_keys(results)
    ScreeningResult.objects.filter(pk__in=[r.pk for r in results]).delete()
    _run_counts_refresh(run, rows_settled=len(rows), rows_unmatched=len(rows))
    return len(results)
