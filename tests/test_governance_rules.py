"""Vote arithmetic per charter, with the boundaries the charters make matter: exactly 2/3, one vote short,
'more than' against 'at least', and a meeting without a quorum."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.governance import rules
from marketplace.governance.rules import Base, Outcome, VoteRule
from tests.governance_world import unsaved_alliance

CASES = [
    # charter, motion kind, council, present, yes, expected
    ("hs", "admit", 15, 10, 7, Outcome.PASSED),  # 衡水 art. 15: 10 of 15 is exactly 2/3 present; 7/10 >= 2/3
    ("hs", "admit", 15, 9, 9, Outcome.NO_QUORUM),  # one director short of the quorum, however unanimous
    ("hs", "admit", 15, 12, 8, Outcome.PASSED),  # exactly 2/3 of those present: "2/3 以上" includes it
    ("hs", "admit", 15, 12, 7, Outcome.FAILED),  # one vote short
    ("hs", "expel", 15, 12, 8, Outcome.PASSED),  # every 衡水 resolution needs 2/3 of those present
    ("hs", "expel", 15, 12, 7, Outcome.FAILED),
    ("dz", "admit", 15, 15, 10, Outcome.FAILED),  # 德州 art. 12: exactly 2/3 of all directors is not "超过"
    ("dz", "admit", 15, 15, 11, Outcome.PASSED),
    ("dz", "admit", 15, 12, 10, Outcome.FAILED),  # 10/12 of those present, but not more than 2/3 of all 15
    ("dz", "admit", 15, 13, 11, Outcome.PASSED),
    ("dz", "remove", 15, 10, 6, Outcome.PASSED),  # 实施办法 art. 12 (majority of those present)
    ("dz", "remove", 15, 10, 5, Outcome.FAILED),  # exactly half is not a majority
    ("zz", "amend_charter", 20, 10, 6, Outcome.PASSED),  # 联席会 art. 23: more than half
    ("zz", "amend_charter", 20, 10, 5, Outcome.FAILED),  # exactly half
    ("zz", "amend_charter", 20, 9, 9, Outcome.NO_QUORUM),  # quorum: half of 20 is 10
    ("jx", "admit", 10, 6, 3, Outcome.PASSED),  # 机械: at least half of those present
    ("jx", "admit", 10, 6, 2, Outcome.FAILED),
]


@pytest.mark.parametrize(("key", "kind", "council", "present", "yes", "expected"), CASES)
def test_each_charter_decides_its_boundaries(key, kind, council, present, yes, expected):
    alliance = unsaved_alliance(key)
    tally = rules.count(alliance.vote_rule(kind), alliance.quorum, council=council, present=present, yes=yes,
                        no=present - yes, abstain=0)  # fmt: skip
    assert tally.outcome is expected


def test_the_tally_says_how_many_were_needed():
    hs = unsaved_alliance("hs")
    tally = rules.count(hs.vote_rule("admit"), hs.quorum, council=15, present=9, yes=9, no=0, abstain=0)
    assert (tally.outcome, tally.present_needed) == (Outcome.NO_QUORUM, 10)
    dz = unsaved_alliance("dz")
    tally = rules.count(dz.vote_rule("admit"), dz.quorum, council=15, present=15, yes=10, no=5, abstain=0)
    assert (tally.outcome, tally.yes_needed) == (Outcome.FAILED, 11)


@pytest.mark.parametrize(
    ("present", "yes", "no", "abstain", "council"),
    [(5, 4, 2, 0, 9), (10, 1, 1, 1, 9), (-1, 0, 0, 0, 9)],
)
def test_impossible_counts_are_refused(present, yes, no, abstain, council):
    with pytest.raises(ValueError, match="cannot be negative|more"):
        rules.count(rules.SIMPLE_MAJORITY, Fraction(1, 2), council=council, present=present, yes=yes, no=no,
                    abstain=abstain)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (">= 2/3 present", VoteRule(Fraction(2, 3), False, Base.PRESENT)),
        ("> 2/3 council", VoteRule(Fraction(2, 3), True, Base.COUNCIL)),
        ("≥1/2 present", VoteRule(Fraction(1, 2), False, Base.PRESENT)),
    ],
)
def test_rule_texts_round_trip(text, rule):
    assert VoteRule.parse(text) == rule
    assert VoteRule.parse(str(rule)) == rule


@pytest.mark.parametrize("text", ["2/3", "> 3/2 present", "> 0/3 present", ">= 2/3 everyone", ""])
def test_bad_rule_texts_are_refused(text):
    with pytest.raises(rules.RuleError):
        VoteRule.parse(text)


@given(
    num=st.integers(1, 9), extra=st.integers(0, 9), strict=st.booleans(), base=st.sampled_from(list(Base)),
    council=st.integers(1, 400), data=st.data(),
)  # fmt: skip
def test_yes_needed_is_the_exact_threshold(num, extra, strict, base, council, data):
    rule = VoteRule(Fraction(num, num + extra), strict, base)
    present = data.draw(st.integers(1, council))
    needed = rule.yes_needed(present=present, council=council)
    assert rule.met(needed, present=present, council=council) or needed > (present if base is Base.PRESENT else council)
    assert not rule.met(needed - 1, present=present, council=council)
