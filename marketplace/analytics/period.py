"""Half-years (上半年/下半年), the unit of hiring plans and of every report."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, order=True)
class Period:
    year: int
    half: int  # 1 = January–June, 2 = July–December

    @classmethod
    def containing(cls, day: date) -> "Period":
        return cls(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def parse(cls, text: str) -> "Period":
        """'2027-1' → Period(2027, 1); ValueError otherwise."""
        year, _, half = text.partition("-")
        period = cls(int(year), int(half))
        if period.half not in (1, 2) or not 2000 <= period.year <= 2100:
            raise ValueError(text)
        return period

    @property
    def start(self) -> date:
        return date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self) -> date:
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    @property
    def key(self) -> str:
        return f"{self.year}-{self.half}"

    @property
    def cohort_year(self) -> int:
        """The graduating year of the cohort the half-year is about: its final-year internships and offers are in the
        second half-year before graduation, its graduation and first jobs in the first (下半年 2026 → 2027届,
        上半年 2027 → 2027届)."""
        return self.year if self.half == 1 else self.year + 1

    @property
    def cohort_half(self) -> int:
        """Which of its cohort's two half-years this is: 0 = the final-year internships', 1 = graduation's."""
        return 1 if self.half == 1 else 0

    @classmethod
    def of_cohort(cls, graduation_year: int, index: int) -> "Period":
        """The inverse: a cohort's half-year `index` (0, 1)."""
        return cls(graduation_year - 1, 2) if index == 0 else cls(graduation_year, 1)

    def shifted(self, halves: int) -> "Period":
        index = self.year * 2 + self.half - 1 + halves
        return Period(index // 2, index % 2 + 1)

    def last(self, count: int) -> list["Period"]:
        """The `count` half-years ending with this one, oldest first."""
        return [self.shifted(-n) for n in range(count - 1, -1, -1)]
