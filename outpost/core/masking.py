"""Masking of sensitive fields (DESIGN rule 2): what every page and export shows by default."""


def mask_id_number(value: str) -> str:
    """`210211199001011234` -> `210211********1234`; other documents keep the last 4."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) == 18:
        return value[:6] + "*" * 8 + value[-4:]
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_phone(value: str) -> str:
    """`13812345678` -> `138****5678`; landlines keep the last 4."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) == 11 and value.isdigit():
        return value[:3] + "****" + value[-4:]
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


ADDRESS_HIDDEN = "****"


def mask_address(address: str) -> str:
    """Keep the street and building number, hide entrance and room: everything after the
    first `号` is hidden (`中山路12号3单元401` -> `中山路12号****`). An address without a
    building number keeps its first 6 characters; a room number alone is hidden whole."""
    address = (address or "").strip()
    if not address:
        return ""
    head, mark, _rest = address.partition("号")
    if mark:
        return f"{head}{mark}****"
    return address[:6] + "****" if len(address) > 6 else "****"


def household_address_masked(*, street: str, building: str) -> str:
    """A household's address from its street and building, masked by `mask_address`."""
    return mask_address(f"{street}{building}号")


def mask_address_part(value: str) -> str:
    """An entrance or room on its own (a change history): hidden as in `mask_address`."""
    return ADDRESS_HIDDEN if (value or "").strip() else ""


def mask_birth_date(value) -> str:
    """`1990-12-22` -> `1990-**-**`. Month and day are the hidden digits of a masked ID
    number (`210202********4217`): shown beside it they would give the whole number back."""
    if not value:
        return ""
    if isinstance(value, str):
        return f"{value[:4]}-**-**"
    return f"{value.year}-**-**"


def mask_name(value: str) -> str:
    """`张三丰` -> `张**`: the first character only, for pages a stranger might see."""
    value = (value or "").strip()
    if not value:
        return ""
    return value[0] + "*" * max(len(value) - 1, 1)
