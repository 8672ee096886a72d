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


def mask_address(*, street: str, building: str) -> str:
    """Keep the street and building; hide entrance and room."""
    return f"{street}{building}号****"


def mask_name(value: str) -> str:
    """`张三丰` -> `张**`: the first character only, for pages a stranger might see."""
    value = (value or "").strip()
    if not value:
        return ""
    return value[0] + "*" * max(len(value) - 1, 1)
