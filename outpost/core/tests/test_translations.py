"""The Simplified Chinese catalog: complete, compiled, covering the source, and in use.

zh-Hans is the default language (DESIGN rule 5), so a missing or stale translation shows
English to a Chinese user. The committed django.mo must match django.po, because
machines without GNU gettext cannot compile it.
"""

import ast
import re
from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parents[2]  # outpost/
CATALOG = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_PATH = CATALOG / "django.po"
MO_PATH = CATALOG / "django.mo"

# {% translate "..." %} / {% trans '...' %} with a literal; variables and blocktranslate
# bodies are left to makemessages.
TEMPLATE_LITERAL = re.compile(r"""\{%\s*(?:translate|trans)\s+(?:"([^"]*)"|'([^']*)')""")
# _("..."), gettext("..."), gettext_lazy("...") with one plain string literal (no f-string,
# no implicit concatenation).
PYTHON_LITERAL = re.compile(
    r"""(?<![\w.])(?:_|gettext|gettext_lazy)\(\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')\s*[,)]"""
)
PLACEHOLDER = re.compile(r"%\(\w+\)[-+ #0]*\d*(?:\.\d+)?[sdifr]|\{\{\s*\w+\s*\}\}")


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(PO_PATH))


def _key(entry):
    return (entry.msgctxt or "", entry.msgid)


def _translation(entry):
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural))
    return entry.msgstr


def test_catalog_header_declares_utf8_and_one_plural_form(po):
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert not po.metadata_is_fuzzy


def _is_translated(entry):
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def test_every_entry_is_translated_and_none_is_fuzzy_or_obsolete(po):
    assert len(po) > 0
    assert [entry.msgid for entry in po if not _is_translated(entry)] == []
    assert [entry.msgid for entry in po if "fuzzy" in entry.flags] == []
    assert [entry.msgid for entry in po.obsolete_entries()] == []


def test_translations_keep_the_placeholders_of_the_source(po):
    wrong = []
    for entry in po.translated_entries():
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for translation in translations:
            if sorted(PLACEHOLDER.findall(translation)) != expected:
                wrong.append((entry.msgid, translation))
    assert wrong == []


def test_committed_mo_matches_the_po(po):
    assert MO_PATH.exists(), "run `outpost compilemessages` and commit django.mo"
    compiled = {_key(entry): _translation(entry) for entry in polib.mofile(str(MO_PATH))}
    compiled.pop(("", ""), None)  # the header
    expected = {_key(entry): _translation(entry) for entry in po.translated_entries()}
    stale = {
        key for key in expected.keys() | compiled.keys() if expected.get(key) != compiled.get(key)
    }
    assert sorted(stale) == [], "django.mo is stale: run `outpost compilemessages`"


def _template_literals():
    for path in sorted(PACKAGE.rglob("templates/**/*")):
        if path.suffix not in {".html", ".txt"} or not path.is_file():
            continue
        for match in TEMPLATE_LITERAL.finditer(path.read_text(encoding="utf-8")):
            yield path, match.group(1) if match.group(1) is not None else match.group(2)


def _python_literals():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = set(path.relative_to(PACKAGE).parts)
        if parts & {"migrations", "tests"}:
            continue
        for match in PYTHON_LITERAL.finditer(path.read_text(encoding="utf-8")):
            yield path, ast.literal_eval(match.group(1))


def test_every_translatable_literal_of_the_source_is_in_the_catalog(po):
    msgids = {entry.msgid for entry in po} | {entry.msgid_plural for entry in po}
    found = [*_template_literals(), *_python_literals()]
    assert len(found) > 100  # the scan sees the source
    missing = sorted(
        f"{path.relative_to(PACKAGE)}: {literal!r}"
        for path, literal in found
        if literal and literal not in msgids
    )
    assert missing == [], "run `outpost makemessages -l zh_Hans` and translate the new strings"


def test_login_page_is_chinese_by_default_and_english_after_switching(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert "登录" in page
    assert "Log in" not in page

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302

    page = client.get("/accounts/login/").content.decode()
    assert "Log in" in page
    assert "登录" not in page


def test_chinese_pages_group_large_numbers_by_thousands():
    # Django's zh_Hans writes 116782 (no separator, groups of four); the station's reports
    # and the home tiles read 116,782 (outpost/formats/zh_Hans).
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.utils import translation

    with translation.override("zh-hans"):
        assert intcomma(116782) == "116,782"
    with translation.override("en"):
        assert intcomma(116782) == "116,782"
