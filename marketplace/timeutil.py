"""Dates as the alliances see them: Asia/Shanghai, whatever the server's clock zone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

ALLIANCE_TZ = ZoneInfo("Asia/Shanghai")


def local_today() -> date:
    return datetime.now(ALLIANCE_TZ).date()
