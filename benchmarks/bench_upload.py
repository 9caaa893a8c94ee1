"""The cost of parsing an uploaded student sheet, printed as `figure:` lines (no database: the parse is pure).

A normal 5,000-row sheet with every column, and the probe's hostile sheet: 30 students followed by formatted blank
rows that the declared dimension does not mention (issue 12: such a 4.3 MB file cost 27-36 s of CPU per preview).
"""

import io
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marketplace.cohorts.importer import Preview, References, build_preview  # noqa: E402
from marketplace.reference.models import MajorLevel  # noqa: E402
from tests.test_cohorts_sheets import student, xlsx  # noqa: E402

REFERENCES = References({(MajorLevel.ZHONGZHI, "660105"): (1, "焊接技术应用")}, {}, {"衡水市": 1, "德州市": 2})
BLANK_ROWS = 600_000


def figure(name: str, value: float, unit: str) -> None:
    print(f"figure: {name} = {value:.2f} {unit}", flush=True)


def blank_rows_after(data: bytes, first: int, count: int, *, cells: bool) -> bytes:
    """Formatted blank rows: with two empty formatted cells each, or formatted as whole rows (no cells)."""
    row = '<row r="{r}"><c r="A{r}" s="0"/><c r="B{r}" s="0"/></row>' if cells else '<row r="{r}" customFormat="1"/>'
    rows = "".join(row.format(r=r) for r in range(first, first + count))
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"</sheetData>", rows.encode() + b"</sheetData>")
            archive.writestr(info, body)
    return out.getvalue()


def timed(data: bytes) -> tuple[float, Preview]:
    started = time.perf_counter()
    preview = build_preview(data, "bench.xlsx", REFERENCES, today=date(2027, 1, 1))
    return time.perf_counter() - started, preview


def main() -> None:
    normal = xlsx([student(n) for n in range(1, 5001)])
    elapsed, preview = min(timed(normal) for _ in range(3))
    if preview.good_count != 5000:
        raise RuntimeError(f"{preview.good_count} good rows of 5000: {preview.problems[:3]}")
    figure("upload_preview_5000_rows_s", elapsed, "s")
    thirty = xlsx([student(n) for n in range(1, 31)])
    for cells in (True, False):
        hostile = blank_rows_after(thirty, 32, BLANK_ROWS, cells=cells)
        unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(hostile)).infolist())
        print(f"hostile: {len(hostile) / 1e6:.1f} MB, {unpacked / 1e6:.0f} MB unpacked, {BLANK_ROWS:,} blank rows")
        elapsed, preview = timed(hostile)
        print("outcome:", [p.reason % p.params for p in preview.file_errors + preview.notices])
        figure(f"upload_preview_blank_rows{'_with_cells' if cells else ''}_s", elapsed, "s")


if __name__ == "__main__":
    main()
