"""Vocational skill certificates written as text: "焊工:中级;电工:初级" ⇄ [("焊工", 2), ("电工", 1)]."""

import re

LEVELS = {"初级": 1, "中级": 2, "高级": 3, "技师": 4, "高级技师": 5}
LEVEL_NAMES = {v: k for k, v in LEVELS.items()}
_SEPARATORS = re.compile(r"[;；,，、\n]+")
_PAIR = re.compile(r"^\s*(?P<name>[^:：]+?)\s*[:：]\s*(?P<level>\S+)\s*$")


class CertificateFormatError(ValueError):
    """The text names an unknown level or lacks one; the message quotes the part at fault."""


def parse_certificates(text: str) -> list[tuple[str, int]]:
    result = []
    for part in filter(None, (p.strip() for p in _SEPARATORS.split(text or ""))):
        match = _PAIR.match(part)
        if not match or match["level"] not in LEVELS:
            raise CertificateFormatError(part)
        result.append((match["name"], LEVELS[match["level"]]))
    return result


def format_certificates(pairs) -> str:
    return "；".join(f"{name}:{LEVEL_NAMES[level]}" for name, level in pairs)
