"""Parsers for the cells of a student sheet; each returns a clean value or raises CellError with a msgid.

Shared by the importer and the student form, so that a value means the same wherever it is typed.
"""

import math
import re
from datetime import date, datetime

from marketplace.certificates import CertificateFormatError, parse_certificates
from marketplace.cohorts.models import Gender
from marketplace.cohorts.spreadsheet import N_
from marketplace.plans.models import OpeningKind
from marketplace.privacy import is_masked_id_number, is_masked_phone
from marketplace.reference.models import MajorLevel
from marketplace.validators import MOBILE_RE

KEEP = object()  # a masked phone or ID number read back from an export: leave the stored value as it is

GENDERS = {"男": Gender.MALE, "男性": Gender.MALE, "女": Gender.FEMALE, "女性": Gender.FEMALE}
LEVELS = {
    "技工": MajorLevel.JIGONG,
    "技工院校": MajorLevel.JIGONG,
    "技校": MajorLevel.JIGONG,
    "中职": MajorLevel.ZHONGZHI,
    "中专": MajorLevel.ZHONGZHI,
    "高职": MajorLevel.GAOZHI,
    "高职专科": MajorLevel.GAOZHI,
    "大专": MajorLevel.GAOZHI,
}
LEVEL_NAMES = {MajorLevel.JIGONG: "技工", MajorLevel.ZHONGZHI: "中职", MajorLevel.GAOZHI: "高职"}
KINDS = {
    "就业": OpeningKind.EMPLOYMENT,
    "岗位实习": OpeningKind.POST_INTERNSHIP,
    "顶岗实习": OpeningKind.POST_INTERNSHIP,  # the name before the 2021 rules
    "认识实习": OpeningKind.COGNITIVE_INTERNSHIP,
    "工学交替": OpeningKind.WORK_STUDY,
    "订单班": OpeningKind.ORDER_CLASS,
    "冠名班": OpeningKind.ORDER_CLASS,
    "订单班/冠名班": OpeningKind.ORDER_CLASS,
    "现代学徒制": OpeningKind.APPRENTICESHIP,
    "学徒制": OpeningKind.APPRENTICESHIP,
}
KIND_NAMES = {
    OpeningKind.EMPLOYMENT: "就业",
    OpeningKind.POST_INTERNSHIP: "岗位实习",
    OpeningKind.COGNITIVE_INTERNSHIP: "认识实习",
    OpeningKind.WORK_STUDY: "工学交替",
    OpeningKind.ORDER_CLASS: "订单班",
    OpeningKind.APPRENTICESHIP: "现代学徒制",
}
YES = {"是", "同意", "y", "yes", "true", "1"}
NO = {"否", "不同意", "n", "no", "false", "0"}

_LIST_SEPARATORS = re.compile(r"[;；,，、\s]+")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:月|[-/.月]\s*(\d{1,2})\s*日?)?(?:[ T]0{1,2}:00(?::00)?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
ID_CHECK = "10X98765432"


class CellError(ValueError):
    def __init__(self, reason: str, **params):
        super().__init__(reason)
        self.reason = reason
        self.params = params


def text(value) -> str:
    """The cell as text: whole numbers without '.0', dates as YYYY-MM-DD, spaces (also full-width) trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    return str(value).replace("\u3000", " ").strip()


def required(value) -> str:
    result = text(value)
    if not result:
        raise CellError(N_("This cell must not be empty."))
    return result


def limited(value, length: int) -> str:
    result = text(value)
    if len(result) > length:
        raise CellError(N_("At most %(n)d characters."), n=length)
    return result


def required_limited(value, length: int) -> str:
    return limited(required(value), length)


def parse_date(value) -> date:
    """A date cell, or text such as 2006-05-12, 2006/5/12, 2006.5.12, 2006年5月12日, 20060512; 2021-09 is the 1st."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value)
    if not raw:
        raise CellError(N_("This cell must not be empty."))
    match = _DATE.match(raw) or _COMPACT_DATE.match(raw)
    if not match:
        raise CellError(N_("Not a date: write it as YYYY-MM-DD."))
    year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
    try:
        result = date(year, month, day)
    except ValueError:
        raise CellError(N_("This date does not exist: %(value)s."), value=raw) from None
    if not 1900 <= year <= 2100:
        raise CellError(N_("This date does not exist: %(value)s."), value=raw)
    return result


def _lookup(table: dict, value, reason: str):
    key = required(value)
    found = table.get(key, table.get(key.lower()))
    if found is None:
        raise CellError(reason, value=key)
    return found


def parse_gender(value) -> Gender:
    return _lookup(GENDERS, value, N_("Write 男 or 女, not %(value)s."))


def parse_level(value) -> MajorLevel:
    return _lookup(LEVELS, value, N_("Write 技工, 中职 or 高职, not %(value)s."))


def parse_consent(value) -> bool | None:
    """是/否 (also 同意/不同意, Y/N, TRUE/FALSE); an empty cell says nothing (None)."""
    raw = text(value).lower()
    if not raw:
        return None
    if raw in YES:
        return True
    if raw in NO:
        return False
    raise CellError(N_("Write 是 or 否, not %(value)s."), value=text(value))


def parse_score(value) -> float | None:
    raw = text(value).removesuffix("分")
    if not raw:
        return None
    try:
        score = float(raw)
    except ValueError:
        score = math.nan
    if not 0 <= score <= 100:  # also refuses NaN
        raise CellError(N_("The score must be a number from 0 to 100."))
    return round(score, 2)


def parse_phone(value):
    """An 11-digit mainland mobile number ('' if empty); spaces, dashes and +86 are dropped; masked -> KEEP."""
    raw = re.sub(r"[\s-]", "", text(value))
    if is_masked_phone(raw):
        return KEEP
    if raw.startswith("+86"):
        raw = raw[3:]
    if raw and not MOBILE_RE.match(raw):
        raise CellError(N_("Enter an 11-digit mainland mobile number."))
    return raw


def id_number_error(number: str) -> str | None:
    """Why an 18-character resident ID number (GB 11643-1999) is wrong, or None."""
    if not _ID_NUMBER.match(number):
        return N_("An ID number has 18 characters: 17 digits, then a digit or X.")
    if ID_CHECK[sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS, strict=True)) % 11] != number[17]:
        return N_("The ID number's check digit does not match: look for a typo.")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900:
        return N_("The ID number contains an impossible birth date.")
    return None


def parse_id_number(value):
    """A valid ID number ('' if empty); masked -> KEEP. Excel turns long numbers into floats and loses digits."""
    if isinstance(value, float):
        raise CellError(N_("The ID number was stored as a number and lost digits: format the column as text."))
    raw = text(value).upper().replace(" ", "")
    if not raw:
        return ""
    if is_masked_id_number(raw):
        return KEEP
    error = id_number_error(raw)
    if error:
        raise CellError(error)
    return raw


def id_birth_date(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def split_list(value) -> list[str]:
    return [part for part in _LIST_SEPARATORS.split(text(value)) if part]


def parse_certificates_cell(value) -> list[tuple[str, int]]:
    try:
        pairs = parse_certificates(text(value))
    except CertificateFormatError as exc:
        raise CellError(
            N_(
                "Write certificates as name:level separated by semicolons (初级, 中级, 高级, 技师, 高级技师): %(value)s"
            ),
            value=str(exc),
        ) from None
    for name, _level in pairs:
        if len(name) > 64:
            raise CellError(N_("At most %(n)d characters."), n=64)
    return pairs


def parse_kinds(value) -> list[str]:
    kinds: list[str] = []
    for part in split_list(value):
        kind = KINDS.get(part)
        if kind is None:
            raise CellError(
                N_("Unknown kind %(value)s: write 就业, 岗位实习, 认识实习, 工学交替, 订单班 or 现代学徒制."),
                value=part,
            )
        if kind.value not in kinds:
            kinds.append(kind.value)
    return kinds


def parse_cities(value, cities: dict[str, int]) -> list[int]:
    """City names (衡水市, or 衡水) against the prefecture-level cities; duplicates dropped, order kept."""
    ids: list[int] = []
    for part in split_list(value):
        city_id = cities.get(part, cities.get(part + "市"))
        if city_id is None:
            raise CellError(N_("Unknown city %(value)s: write prefecture-level cities such as 衡水市."), value=part)
        if city_id not in ids:
            ids.append(city_id)
    return ids
