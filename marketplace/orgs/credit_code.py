"""Unified social credit code (统一社会信用代码) per GB 32100-2015."""

import random

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def check_character(first17: str) -> str:
    """The 18th character computed from the first 17 (modulus 31)."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_error(code: str) -> str | None:
    """Why `code` is not a valid credit code, or None when it is. Messages are msgids for translation."""
    if len(code) != LENGTH:
        return "must be 18 characters"
    bad = [ch for ch in code if ch not in ALPHABET]
    if bad:
        return "contains characters not allowed in a credit code"
    if not code[2:8].isdigit():
        return "characters 3 to 8 must be an administrative division code"
    if check_character(code[:17]) != code[17]:
        return "the check character does not match"
    return None


def normalize_credit_code(raw: str) -> str:
    return raw.strip().upper().replace(" ", "")


def make_credit_code(division_code: str, rng: random.Random, registration: str = "9", kind: str = "1") -> str:
    """A valid code for demo data: registration authority, kind, 6-digit division, 9-character body."""
    body = "".join(rng.choice(ALPHABET[:10]) for _ in range(8)) + rng.choice(ALPHABET)
    first17 = f"{registration}{kind}{division_code[:6]}{body}"
    return first17 + check_character(first17)
