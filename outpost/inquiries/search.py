"""Chinese search of questions and FAQ entries (中文检索), alike on SQLite and PostgreSQL.

A text's terms are its overlapping character bigrams (`新冠` `冠疫` …) of each run of Han
characters, a lone Han character standing alone, and each Latin word or number. They are
stored one row each in `InquiryTerm`, an inverted index both databases answer with one
index range per term; a query's terms are looked up there and the records ranked by the
Dice coefficient of the two term sets (2·shared / (query terms + record terms)), which
favours short records that share most of the query: what a short question needs.

Word segmentation (jieba) was measured against this (README, "Chinese search", and
`bench/inquiries_search.py`): it ranked no better on short colloquial questions, costs a
dictionary load of about a second and 50 MB per process, and needs a dependency; bigrams
need nothing and find words the dictionary does not know (place names, new terms).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from outpost.inquiries.models import FaqEntry, InquiryTerm, Question

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
LATIN = re.compile(r"[a-z0-9]+")
TERM_MAX = 24
# Bigrams of how people ask rather than what they ask about (请问, 怎么, 可以…): they match
# nearly every question and would rank noise.
STOP_BIGRAMS = frozenset(
    "请问 你好 您好 我想 想问 问一 一下 怎么 么办 什么 可以 是否 需要 我们 我的 现在 "
    "这个 那个 一个 的话 还是 能不 不能 吗？ 么时 时候 有没 没有 谢谢 麻烦 问下".split()
)
# Records read from the index before ranking (the most terms shared with the query).
CANDIDATES = 1000


def terms(text: str) -> list[str]:
    """The distinct search terms of `text`, in order of first appearance."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    found: dict[str, None] = {}
    for run in HAN.findall(text):
        if len(run) == 1:
            found[run] = None
        for i in range(len(run) - 1):
            bigram = run[i : i + 2]
            if bigram not in STOP_BIGRAMS:
                found[bigram] = None
    for word in LATIN.findall(text):
        found[word[:TERM_MAX]] = None
    return list(found)


def index_question(question: Question) -> None:
    """(Re)write the index rows of one question from its text."""
    _index("question", question, question.text)


def index_faq(entry: FaqEntry) -> None:
    """(Re)write the index rows of one FAQ entry from its question: residents' questions are
    matched to the entry's question (its answer's words would rank entries that merely
    mention a term, e.g. an answer naming the pass to show, above the one about it)."""
    _index("faq", entry, entry.question)


def _index(kind: str, record, text: str) -> None:
    found = terms(text)
    InquiryTerm.objects.filter(**{kind: record}).delete()
    InquiryTerm.objects.bulk_create([InquiryTerm(term=term, **{kind: record}) for term in found])
    type(record).objects.filter(pk=record.pk).update(term_count=len(found))
    record.term_count = len(found)


def question_index_rows(questions) -> list[InquiryTerm]:
    """Index rows for questions about to be bulk-created elsewhere (the demo): sets each
    one's `term_count`; the caller saves the rows after the questions."""
    rows = []
    for question in questions:
        found = terms(question.text)
        question.term_count = len(found)
        rows.extend(InquiryTerm(term=term, question=question) for term in found)
    return rows


def faq_index_rows(entries) -> list[InquiryTerm]:
    rows = []
    for entry in entries:
        found = terms(entry.question)
        entry.term_count = len(found)
        rows.extend(InquiryTerm(term=term, faq=entry) for term in found)
    return rows


@dataclass(frozen=True)
class Hit:
    record: Question | FaqEntry
    score: float


def _ranked(kind: str, query: str, candidates: QuerySet, limit: int, minimum: float) -> list[Hit]:
    """Read the index without joining the candidates (a join lets the databases walk every
    candidate's terms, 10 times slower at 10,000 questions), keep the `CANDIDATES` records
    sharing most terms, then those of `candidates` (the user's scope, the unit's recent
    questions) among them; rank by Dice and load only the best `limit`."""
    query_terms = terms(query)
    if not query_terms:
        return []
    shared = dict(
        InquiryTerm.objects.filter(term__in=query_terms, **{f"{kind}__isnull": False})
        .values(kind)
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list(kind, "n")[:CANDIDATES]
    )
    if not shared:
        return []
    sizes = candidates.order_by().filter(pk__in=list(shared)).values_list("pk", "term_count")
    scored = sorted(
        ((2 * shared[pk] / (len(query_terms) + max(size, 1)), pk) for pk, size in sizes),
        key=lambda pair: (-pair[0], -pair[1]),
    )
    best = [(score, pk) for score, pk in scored if score >= minimum][:limit]
    records = candidates.in_bulk([pk for _score, pk in best])
    return [Hit(records[pk], score) for score, pk in best if pk in records]


def search_faq(query: str, entries: QuerySet, *, limit: int = 5, minimum: float = 0.1) -> list[Hit]:
    """The FAQ entries of `entries` most like `query`, best first."""
    return _ranked("faq", query, entries, limit, minimum)


def search_questions(
    query: str, questions: QuerySet, *, limit: int = 5, minimum: float = 0.1
) -> list[Hit]:
    """The questions of `questions` most like `query`, best first."""
    return _ranked("question", query, questions, limit, minimum)
