"""Unit boundaries come from a GeoJSON FeatureCollection matched to units by code, and a
bad file is refused whole with an error that names what is wrong."""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from outpost.core import boundaries
from outpost.core.boundaries import parse_boundaries, read_bounded, unit_boundaries_import
from outpost.core.choices import Role
from outpost.core.models import Unit
from outpost.core.tests.factories import staff_user

pytestmark = pytest.mark.usefixtures("english")

SQUARE = [[[121.0, 38.0], [121.01, 38.0], [121.01, 38.01], [121.0, 38.01], [121.0, 38.0]]]


def collection(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def feature(code, coordinates=SQUARE, kind="Polygon"):
    return {
        "type": "Feature",
        "properties": {"code": code},
        "geometry": {"type": kind, "coordinates": coordinates},
    }


@pytest.fixture
def admin(district):
    return staff_user(role=Role.ADMINISTRATOR, unit=district.station, username="admin")


def errors_of(data: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_boundaries(data)
    return " | ".join(caught.value.messages)


def test_a_valid_file_sets_each_units_boundary(district, admin):
    data = collection(feature("CA"), feature("CB", [SQUARE], kind="MultiPolygon"))

    unit_boundaries_import(data=data, acting_user=admin)

    assert Unit.objects.get(code="CA").boundary == {"type": "Polygon", "coordinates": SQUARE}
    assert Unit.objects.get(code="CB").boundary["type"] == "MultiPolygon"


def test_an_unclosed_ring_is_refused():
    ring = [*SQUARE[0][:-1], [121.0, 38.005]]
    assert "not closed" in errors_of(collection(feature("CA", [ring])))


def test_a_point_or_line_is_not_a_boundary():
    point = {
        "type": "Feature",
        "properties": {"code": "CA"},
        "geometry": {"type": "Point", "coordinates": [121, 38]},
    }
    message = errors_of(collection(point))
    assert "Feature 1 (CA)" in message and "Polygon or MultiPolygon, not Point" in message


def test_coordinates_out_of_range_are_refused():
    ring = [[200.0, 38.0], [121.01, 38.0], [121.01, 38.01], [200.0, 38.0]]
    assert "longitude/latitude pair in range" in errors_of(collection(feature("CA", [ring])))


def test_not_a_feature_collection_is_refused():
    assert "FeatureCollection" in errors_of(b'{"type": "Feature"}')
    assert "not GeoJSON" in errors_of(b"\x00\xff not json")


def test_an_unknown_unit_code_is_named_and_nothing_is_written(district, admin):
    data = collection(feature("CA"), feature("NOPE-7"))

    with pytest.raises(ValidationError) as caught:
        unit_boundaries_import(data=data, acting_user=admin)

    assert "NOPE-7" in caught.value.messages[0]
    assert Unit.objects.get(code="CA").boundary is None


def test_a_huge_file_is_refused_whatever_it_declares(monkeypatch):
    monkeypatch.setattr(boundaries, "MAX_BYTES", 1000)
    endless = io.BytesIO(b" " * 5000)

    with pytest.raises(ValidationError) as caught:
        read_bounded(endless, limit=1000)

    assert caught.value.code == "too_large"
    assert endless.tell() <= 1001  # read no further than the limit


def test_too_many_positions_are_refused(monkeypatch):
    monkeypatch.setattr(boundaries, "MAX_POSITIONS", 8)
    assert "positions" in errors_of(collection(feature("CA"), feature("CB")))


def test_the_command_imports_and_reports_errors(district, admin, tmp_path):
    good = tmp_path / "good.geojson"
    good.write_bytes(collection(feature("CA")))
    bad = tmp_path / "bad.geojson"
    bad.write_bytes(collection(feature("ZZ")))
    out = io.StringIO()

    call_command("boundaries", str(good), "--user", "admin", stdout=out)

    assert Unit.objects.get(code="CA").boundary is not None
    with pytest.raises(CommandError, match="ZZ"):
        call_command("boundaries", str(bad), "--user", "admin")


def test_an_administrator_uploads_boundaries_in_the_admin(client, district):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    root = staff_user(role=Role.ADMINISTRATOR, unit=district.station, username="root")
    root.is_staff = True
    root.save()
    client.force_login(root)
    url = reverse("admin:core_unit_boundaries")

    assert (
        "Import unit boundaries"
        in client.get(reverse("admin:core_unit_changelist")).content.decode()
    )
    bad = client.post(url, {"file": SimpleUploadedFile("b.geojson", collection(feature("NOPE")))})
    good = client.post(url, {"file": SimpleUploadedFile("g.geojson", collection(feature("CA")))})

    assert bad.status_code == 200 and "NOPE" in bad.content.decode()
    assert good.status_code == 302
    assert Unit.objects.get(code="CA").boundary["type"] == "Polygon"
