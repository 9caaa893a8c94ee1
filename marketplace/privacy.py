"""Masking personal numbers wherever they are shown (页面、导出中的手机号与身份证号脱敏).

Unmasked values are shown only by a deliberate, audited action of an authorised user; everything else goes through
these helpers. They keep enough to recognise a number (the phone's network prefix and last four digits; the ID
number's region code and last four characters) and hide the rest, including the birth date inside an ID number.
"""

__all__ = ["is_masked_id_number", "is_masked_phone", "mask_id_number", "mask_name", "mask_phone"]

import re

MASK = "*"
_MASKED_PHONE = re.compile(r"^\d{3}\*{4,}\d{4}$")
_MASKED_ID_NUMBER = re.compile(r"^\d{6}\*{8}[\dX]{4}$")


def _mask(value: str | None, keep_start: int, keep_end: int) -> str:
    text = (value or "").strip()
    if not text:
        return ""
    if len(text) <= keep_start + keep_end:
        return MASK * len(text)
    return text[:keep_start] + MASK * (len(text) - keep_start - keep_end) + text[-keep_end:]


def mask_phone(phone: str | None) -> str:
    """'13912345678' -> '139****5678'; other lengths keep the first 3 and last 4 characters; short ones are hidden."""
    return _mask(phone, 3, 4)


def mask_id_number(id_number: str | None) -> str:
    """'110105199003078123' -> '110105********8123': region code and last four kept, the birth date hidden."""
    return _mask(id_number, 6, 4)


def mask_name(name: str | None) -> str:
    """'王小明' -> '王**': the family name only, for readers with no reason to know whom a record is about."""
    text = (name or "").strip()
    return text[:1] + MASK * (len(text) - 1) if text else ""


def is_masked_phone(text: str) -> bool:
    """True for a value produced by `mask_phone` on a mobile number (a masked export read back in)."""
    return bool(_MASKED_PHONE.match(text))


def is_masked_id_number(text: str) -> bool:
    return bool(_MASKED_ID_NUMBER.match(text))
