"""Headers on every response (CSP, no-store) and private files under var/."""

import datetime
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from outpost.briefing.charts import trend_chart_svg

pytestmark = pytest.mark.django_db

TEMPLATE_ROOT = Path(django_settings.BASE_DIR)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def _policy(response) -> dict[str, str]:
    directives = (d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";"))
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


def test_pages_allow_only_scripts_from_outpost_itself(client, officer_a):
    client.force_login(officer_a)
    policy = _policy(client.get(reverse("home")))
    assert policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"


def test_the_login_page_has_the_policy_too(client):
    assert "script-src 'self'" in client.get(reverse("login"))["Content-Security-Policy"]


def test_pages_with_personal_data_are_not_stored_by_any_cache(client, officer_a):
    client.force_login(officer_a)
    assert client.get(reverse("registry:resident_list"))["Cache-Control"] == "no-store"


def test_api_answers_are_not_stored_by_any_cache(client, officer_a):
    client.force_login(officer_a)
    response = client.get("/api/v1/registry/campaigns")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_no_template_has_inline_script_or_event_handler():
    offenders = []
    for path in TEMPLATE_ROOT.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        if INLINE_SCRIPT.search(text) or EVENT_HANDLER.search(text):
            offenders.append(str(path.relative_to(TEMPLATE_ROOT)))
    assert offenders == []


def test_dashboard_charts_carry_no_inline_script():
    day = datetime.date(2020, 2, 1)
    svg = trend_chart_svg(title="t", series={"a": [(day, 1), (day + datetime.timedelta(1), 2)]})
    assert "<svg" in svg
    assert "<script" not in svg


def test_api_docs_load_swagger_from_our_own_static_files(client, officer_a):
    client.force_login(officer_a)
    content = client.get("/api/v1/docs").content.decode()
    assert "cdn.jsdelivr.net" not in content
    assert not INLINE_SCRIPT.search(content)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_uploaded_files_are_readable_by_outpost_alone(tmp_path):
    storage = FileSystemStorage(location=tmp_path / "media")
    name = storage.save("imports/2020/02/list.xlsx", ContentFile(b"x"))
    assert _mode(tmp_path / "media" / name) == 0o600
    assert _mode(tmp_path / "media" / "imports") == 0o700


def test_a_new_var_directory_and_its_secret_key_are_private(tmp_path):
    var = tmp_path / "var"
    env = {**os.environ, "OUTPOST_VAR_DIR": str(var), "OUTPOST_MODE": "embedded"}
    env.pop("DATABASE_URL", None)
    code = "import django; django.setup(); from django.conf import settings; settings.SECRET_KEY"
    subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "outpost.settings"},
        check=True,
        cwd=django_settings.PROJECT_DIR,
    )
    assert _mode(var) == 0o700
    assert _mode(var / "secret_key") == 0o600
    assert _mode(var / "static") == 0o700
