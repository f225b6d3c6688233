"""The Excel export: read back with openpyxl; totals add up, dates are dates, headers frozen."""

from __future__ import annotations

import re
from datetime import datetime

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from versterking.cli import main
from versterking.domain import MILESTONES


@pytest.fixture(params=[1, 3], ids=["single", "replications"])
def workbook(small, tmp_path, request):
    out = tmp_path / "run"
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(small), "--replications", str(request.param), "--workers", "1",
                                "--out", str(out)]).exit_code == 0
    xlsx = tmp_path / "klein.xlsx"
    result = runner.invoke(main, ["export", str(out), "--xlsx", str(xlsx)])
    assert result.exit_code == 0, result.output
    return out, xlsx


def test_milestone_sheets_add_up_and_dates_are_dates(workbook):
    out, xlsx = workbook
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames[:4] == ["Mijlpalen totaal", "Mijlpalen risicoprofiel", "Mijlpalen gemeente",
                                 "Einddatums"]
    total = pd.read_excel(xlsx, sheet_name="Mijlpalen totaal")
    # means over replications are written to 4 decimals, so sums agree to 1e-3
    assert np.allclose(total[list(MILESTONES)].sum(axis=1), 80, atol=1e-3) and (total["totaal"] == 80).all()
    per_profile = pd.read_excel(xlsx, sheet_name="Mijlpalen risicoprofiel")
    summed = per_profile.groupby("peildatum", sort=False)["voltooid"].sum()
    assert np.allclose(summed.to_numpy(), total["voltooid"].to_numpy(), atol=1e-3)
    for name in wb.sheetnames:
        assert wb[name].freeze_panes == "A2"
    sheet = wb["Mijlpalen totaal"]
    assert isinstance(sheet["B2"].value, datetime) and isinstance(sheet["C2"].value, (int, float))
    ends = wb["Einddatums"]
    headers = [c.value for c in ends[1]]
    cell = ends.cell(row=2, column=headers.index("100% voltooid") + 1)
    assert isinstance(cell.value, datetime) and cell.number_format == "DD-MM-YYYY"


def test_export_refuses_to_overwrite_and_names_bad_input(workbook, tmp_path):
    out, xlsx = workbook
    runner = CliRunner()
    again = runner.invoke(main, ["export", str(out), "--xlsx", str(xlsx)])
    assert again.exit_code == 2 and "pass --force" in again.output
    wrong = runner.invoke(main, ["export", str(out), "--xlsx", str(tmp_path / "x.csv")])
    assert wrong.exit_code == 2 and "must end in .xlsx" in wrong.output
    nothing = runner.invoke(main, ["export", str(tmp_path), "--xlsx", str(tmp_path / "y.xlsx")])
    assert nothing.exit_code == 2 and "not the results folder of a run" in nothing.output
    assert not (tmp_path / "y.xlsx").exists()


def test_address_sheets_can_be_filtered_and_match_the_csv(workbook):
    out, xlsx = workbook
    wb = openpyxl.load_workbook(xlsx)
    sheet = wb["Adressen"]
    assert sheet.auto_filter.ref == sheet.dimensions and sheet.max_row == 81
    headers = [c.value for c in sheet[1]]
    csv = pd.read_csv(out / "adressen.csv", dtype=str, keep_default_na=False)
    assert headers == list(csv.columns)
    column = headers.index("voltooid P50") + 1
    for row in range(2, 82):
        text = csv.loc[row - 2, "voltooid P50"]
        cell = sheet.cell(row=row, column=column)
        assert (cell.value is None) if text == "" else (cell.value.date().isoformat() == text)
        assert sheet.cell(row=row, column=1).value == csv.loc[row - 2, "address_id"]
    assert wb["Clusters"].max_row == 1 + csv["cluster_id"].nunique()


# seed 001 (memo "dashboard - mijlpalen", 12 May 2020): a row per quarter ("Q4 2019", 31-12-2019), its
# columns in this order
DASHBOARD = ["nog niet gestart", "opname", "beoordeling", "planvorming", "uitvoering", "voltooid",
             "versterkt", "voldoet aan de norm", "totaal"]


def test_the_gemeente_sheet_is_the_dashboard_per_gemeente(workbook):
    """Mijlpalen gemeente, read back: the dashboard's columns in its order after gemeente, kwartaal and
    peildatum, voltooid followed by its two parts; per gemeente every quarter in order, labelled
    "Q3 2020" with its last day as a date (DD-MM-YYYY); the counts are milestones_quarterly.csv's (mean
    over the replications) and the gemeenten add up to Mijlpalen totaal."""
    out, xlsx = workbook
    sheet = openpyxl.load_workbook(xlsx)["Mijlpalen gemeente"]
    headers = [c.value for c in sheet[1]]
    assert headers == ["gemeente", "kwartaal", "peildatum", *DASHBOARD]
    assert sheet["C2"].number_format == "DD-MM-YYYY" and isinstance(sheet["C2"].value, datetime)
    table = pd.read_excel(xlsx, sheet_name="Mijlpalen gemeente")
    csv = pd.read_csv(out / "milestones_quarterly.csv")
    csv = csv[csv["niveau"] == "gemeente"]
    if "statistiek" in csv.columns:
        csv = csv[csv["statistiek"] == "gemiddeld"]
    assert sorted(table["gemeente"].unique()) == ["Groningen", "Loppersum"]
    for gemeente, rows in table.groupby("gemeente", sort=False):
        assert rows["kwartaal"].iloc[0] == "start"
        quarters = pd.PeriodIndex([f"{q[-4:]}{q[:2]}" for q in rows["kwartaal"].iloc[1:]], freq="Q")
        assert all(re.fullmatch(r"Q[1-4] \d{4}", q) for q in rows["kwartaal"].iloc[1:])
        assert (np.diff(quarters.asi8) == 1).all()  # every quarter, in order
        assert (rows["peildatum"].iloc[1:].dt.date.to_numpy() == quarters.end_time.date).all()
        mine = csv[csv["groep"] == gemeente]
        np.testing.assert_allclose(rows[DASHBOARD].to_numpy(float), mine[DASHBOARD].to_numpy(float),
                                   atol=1e-4)
    total = pd.read_excel(xlsx, sheet_name="Mijlpalen totaal")
    summed = table.groupby("kwartaal", sort=False)[DASHBOARD].sum()
    np.testing.assert_allclose(summed.to_numpy(), total[DASHBOARD].to_numpy(), atol=1e-3)
    parts = table["versterkt"] + table["voldoet aan de norm"]
    np.testing.assert_allclose(parts, table["voltooid"], atol=1e-3)
