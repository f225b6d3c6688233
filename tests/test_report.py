"""The HTML report: self-contained (no network), with the figures, end dates and manifest."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import invoke

from versterking.calendar import dutch_date
from versterking.cli import main


@pytest.fixture
def run_folder(small, tmp_path):
    out = tmp_path / "run"
    result = invoke("run", small, "--replications", 3, "--workers", 1, "--report", "--out", out)
    assert result.exit_code == 0, result.output
    return out


def test_run_with_report_writes_one_self_contained_page(run_folder):
    page = (run_folder / "rapport" / "rapport.html").read_text(encoding="utf-8")
    assert page.count("<img") == 7 and page.count('src="data:image/png;base64,') == 7
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing fetched from a network
    assert "Einddatums" in page and "Knelpunt per jaar" in page and "Reproduceren" in page
    assert "3 replicaties" in page and "100% voltooid" in page


def test_report_command_on_an_existing_folder_needs_force_to_redo(run_folder):
    again = CliRunner().invoke(main, ["report", str(run_folder)])
    assert again.exit_code == 2 and "exists" in again.output
    assert invoke("report", run_folder, "--force").exit_code == 0


def test_report_on_a_comparison(small, tmp_path):
    from conftest import variant

    other = variant(small, "ander", "")
    out = tmp_path / "cmp"
    assert invoke("compare", small, other, "--replications", 2, "--workers", 1, "--report",
                  "--out", out).exit_code == 0
    page = (out / "rapport" / "rapport.html").read_text(encoding="utf-8")
    assert "Vergelijking" in page and "ander" in page


def test_report_on_something_else_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 2 and "not a results folder" in result.output


def test_the_report_shows_the_end_dates_of_end_dates_csv(run_folder):
    """The report's Einddatums table, cell for cell, is end_dates.csv: P50 with P10 - P90 of every
    group and milestone, as Dutch dates."""
    page = (run_folder / "rapport" / "rapport.html").read_text(encoding="utf-8")
    section = page.split("<h2>Einddatums</h2>", 1)[1].split("<h2>", 1)[0]
    shown = pd.read_html(io.StringIO(section))[0].set_index("groep")
    ends = pd.read_csv(run_folder / "end_dates.csv").set_index(["groep", "statistiek"])
    metrics = [c for c in ends.columns if c not in ("niveau", "adressen", "illustratief")]
    assert ends["illustratief"].isna().all()  # an address file: the gemeenten are its own
    assert list(shown.index) == list(dict.fromkeys(ends.index.get_level_values("groep")))
    assert list(shown.columns) == metrics
    for group in shown.index:
        for metric in metrics:
            p10, p50, p90 = (dutch_date(ends.loc[(group, s), metric]) for s in ("P10", "P50", "P90"))
            assert shown.loc[group, metric] == f"{p50} ({p10} - {p90})", (group, metric)
    day = r"\d\d-\d\d-\d{4}"
    assert re.fullmatch(rf"{day} \({day} - {day}\)", shown.loc["totaal", "100% voltooid"])  # dates, not days
