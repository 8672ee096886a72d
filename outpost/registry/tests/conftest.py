"""Fixtures of the registry tests (the district and its staff are in the root conftest)."""

import pytest
from django.utils import translation


@pytest.fixture
def english(client, settings):
    """Pages, messages and workbooks in English, the source language: the expected texts
    hold whatever the translation catalogs say. Modules that assert texts use it with
    ``pytest.mark.usefixtures("english")``."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
