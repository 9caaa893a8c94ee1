"""统一社会信用代码 validation per GB 32100-2015."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.orgs.credit_code import ALPHABET, check_character, credit_code_error, make_credit_code

# Real, published codes (GB 32100 example; registered companies): the algorithm must agree with them.
KNOWN_VALID = ["91350100M000100Y43", "91110000802100433B", "11100000000013127D", "91440300708461136T"]


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_known_codes_are_valid(code):
    assert credit_code_error(code) is None


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y44", "the check character does not match"),
        ("91350100M000100Y4", "must be 18 characters"),
        ("91350100M000100Y433", "must be 18 characters"),
        ("", "must be 18 characters"),
        ("91350100M000100YI3", "contains characters not allowed in a credit code"),
        ("9135O100M000100Y43", "contains characters not allowed in a credit code"),
        ("913501a0M000100Y43", "contains characters not allowed in a credit code"),
        ("91A50100M000100Y43", "characters 3 to 8 must be an administrative division code"),
    ],
)
def test_invalid_codes_say_why(code, reason):
    assert credit_code_error(code) == reason


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17).filter(lambda s: s[2:8].isdigit()))
def test_any_single_character_change_is_detected(first17):
    code = first17 + check_character(first17)
    assert credit_code_error(code) is None
    position = sum(map(ord, first17)) % 18
    replacement = ALPHABET[(ALPHABET.index(code[position]) + 1) % 31]
    altered = code[:position] + replacement + code[position + 1 :]
    if altered[2:8].isdigit():
        assert credit_code_error(altered) is not None


def test_generated_demo_codes_are_valid():
    rng = random.Random(7)
    codes = {make_credit_code("371400", rng) for _ in range(200)}
    assert len(codes) == 200
    assert all(credit_code_error(c) is None for c in codes)
