import pytest
from django.utils import timezone


@pytest.fixture
def still_clock(monkeypatch):
    """The clock stands still, so the requests of a test share one rate-limit window
    (windows are fixed: a test crossing a boundary would get a second allowance)."""
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now
