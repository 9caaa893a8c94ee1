"""Council vote arithmetic (表决): quorum and thresholds as exact fractions, "more than" and "at least" kept apart.

The charters say both: 衡水 art. 15 "2/3 以上" (at least), 德州 charter art. 12 "超过 2/3" (more than), 联席会
art. 23 "半数以上" read by the issue as more than half. A threshold counts the votes of the directors present, or
of the whole council (德州: more than 2/3 of all directors agree). Nothing here touches the database.
"""

import enum
import math
import re
from dataclasses import dataclass
from fractions import Fraction

from flask_babel import lazy_gettext as _l


class Base(enum.StrEnum):
    PRESENT = "present"  # 到会理事
    COUNCIL = "council"  # 全体理事


class Outcome(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NO_QUORUM = "no_quorum"


_RULE = re.compile(r"^\s*(>=|≥|>)\s*(\d+)\s*/\s*(\d+)\s+(present|council)\s*$")


class RuleError(ValueError):
    """A rule text that does not read as '>= 2/3 present' or '> 1/2 council'."""


@dataclass(frozen=True)
class VoteRule:
    share: Fraction
    strict: bool  # True: the share must be exceeded (超过); False: reached (以上)
    base: Base

    @classmethod
    def parse(cls, text: str) -> "VoteRule":
        match = _RULE.match(text or "")
        if not match:
            raise RuleError(
                _l("Not a vote rule: “%(text)s”. Write it as “>= 2/3 present” or “> 1/2 council”.", text=text or "")
            )
        op, num, den, base = match.groups()
        num, den = int(num), int(den)
        if num <= 0 or den < num:
            raise RuleError(_l("The share must be between 0 and 1: “%(text)s”.", text=text))
        return cls(Fraction(num, den), op == ">", Base(base))

    def __str__(self) -> str:
        return f"{'>' if self.strict else '>='} {self.share.numerator}/{self.share.denominator} {self.base.value}"

    def yes_needed(self, *, present: int, council: int) -> int:
        """The fewest votes in favour that carry the motion."""
        whole = present if self.base is Base.PRESENT else council
        exact = self.share * whole
        return math.floor(exact) + 1 if self.strict else math.ceil(exact)

    def met(self, yes: int, *, present: int, council: int) -> bool:
        whole = present if self.base is Base.PRESENT else council
        if whole <= 0:
            return False
        ratio = Fraction(yes, whole)
        return ratio > self.share if self.strict else ratio >= self.share


SIMPLE_MAJORITY = VoteRule(Fraction(1, 2), True, Base.PRESENT)


@dataclass(frozen=True)
class Tally:
    """A counted vote: its outcome and the numbers that decided it, for the minutes."""

    outcome: Outcome
    council: int
    present: int
    yes: int
    no: int
    abstain: int
    present_needed: int
    yes_needed: int


def present_needed(quorum: Fraction, council: int) -> int:
    """Quorum is always 'at least' (须有 2/3 以上理事出席)."""
    return math.ceil(quorum * council)


def count(rule: VoteRule, quorum: Fraction, *, council: int, present: int, yes: int, no: int, abstain: int) -> Tally:
    """Decide a motion. Raises ValueError when the numbers cannot be true of one meeting."""
    if min(council, present, yes, no, abstain) < 0:
        raise ValueError("counts cannot be negative")
    if present > council:
        raise ValueError("more directors present than the council has")
    if yes + no + abstain > present:
        raise ValueError("more votes than directors present")
    need_present = present_needed(quorum, council)
    need_yes = rule.yes_needed(present=present, council=council)
    if council == 0 or present < need_present:
        outcome = Outcome.NO_QUORUM
    elif rule.met(yes, present=present, council=council):
        outcome = Outcome.PASSED
    else:
        outcome = Outcome.FAILED
    return Tally(outcome, council, present, yes, no, abstain, need_present, need_yes)
