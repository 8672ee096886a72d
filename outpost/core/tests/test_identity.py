"""The identity module: the one place that normalises, validates, masks and shows numbers."""

from outpost.core import identity


def test_document_number_is_compared_without_spaces_and_in_capitals():
    assert identity.normalize_document_number(" e１２３ 456789 ") == "E123456789"


def test_old_id_number_filed_as_document_has_the_canonical_id_as_its_number():
    assert identity.canonical_number("210211900101123") == "210211199001011239"


def test_passport_number_is_its_own_canonical_number():
    assert identity.canonical_number("e12345678") == "E12345678"


def test_resident_id_number_comes_before_document_and_own_number():
    shown = identity.display_id_number(
        id_number="210211199001011237", document_number="E12345678", own_number="X"
    )
    assert shown == "210211199001011237"


def test_document_number_is_shown_when_there_is_no_id_number():
    assert identity.display_id_number(id_number="", document_number="E12345678") == "E12345678"


def test_key_persons_own_number_is_shown_without_a_resident():
    assert identity.display_id_number(own_number="210211199001011237") == "210211199001011237"


def test_an_address_keeps_street_and_building_and_hides_entrance_and_room():
    assert identity.mask_address("中山路12号3单元401") == "中山路12号****"


def test_a_household_address_is_masked_by_the_same_rule_as_an_imported_one():
    masked = identity.household_address_masked(street="中山路", building="12")
    assert masked == identity.mask_address("中山路12号3单元401")


def test_an_imported_room_number_alone_is_hidden_whole():
    assert identity.mask_address("401") == "****"
