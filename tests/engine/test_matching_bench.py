"""`python -m matching.bench --quick` prints every figure once, each with a finite number and a unit."""

import math
import subprocess
import sys
from pathlib import Path

from matching.bench import FIGURES, line, parse

ROOT = Path(__file__).resolve().parents[1]


def test_figure_lines_round_trip():
    assert parse(line("rank_peak_mb", 512.25, "MB")) == ("rank_peak_mb", 512.25, "MB")
    assert parse("# a comment") is None


def test_quick_bench_prints_every_figure():
    done = subprocess.run(  # noqa: S603 (our own module, with this interpreter)
        [sys.executable, "-m", "matching.bench", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    figures = [parse(text) for text in done.stdout.splitlines()]
    figures = [figure for figure in figures if figure is not None]
    names = [name for name, _, _ in figures]
    assert sorted(names) == sorted(FIGURES)
    for name, value, unit in figures:
        assert math.isfinite(value), name
        assert value >= 0, name
        assert unit, name
    values = {name: value for name, value, _ in figures}
    assert 0 < values["occupation_top1"] <= values["occupation_top5"] <= 1
    assert values["rank_peak_mb"] > 0
    assert "no blocking pair" in done.stdout
