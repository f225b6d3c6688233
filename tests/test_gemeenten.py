"""Gemeenten in the embedded werkvoorraad: Groningen's published start, the corporaties' published
split, and every per-gemeente figure that rests on the assumed split marked "illustratief"."""

import pandas as pd
from conftest import invoke

from versterking.inputs.embedded import embedded_werkvoorraad
from versterking.inputs.package_data import published


def test_groningen_starts_from_its_published_dashboard():
    df = embedded_werkvoorraad()
    dashboard = pd.read_csv(published("dashboard_groningen.csv"))
    q1 = dashboard[(dashboard["quarter"] == "Q1 2020") & (dashboard["milestone"] != "totaal")]
    groningen = df[df["gemeente"] == "Groningen"]["milestone"].value_counts()
    assert groningen.to_dict() == dict(zip(q1["milestone"], q1["addresses"], strict=True))
    corporatie = df[df["owner_type"] == "corporatie"]["gemeente"].value_counts()
    assert corporatie["Midden-Groningen"] == 4246 and corporatie["Eemsdelta"] == 2548  # SodM 2020 par. 2.4
    assert len(df) == 26716 and corporatie.sum() == 8492


def test_per_gemeente_figures_of_the_embedded_werkvoorraad_say_illustratief(tmp_path):
    out = tmp_path / "basis"
    result = invoke("run", "basis", "--replications", 2, "--workers", 1, "--report", "--out", out)
    assert result.exit_code == 0, result.output
    for name in ("milestones_quarterly.csv", "end_dates.csv"):
        table = pd.read_csv(out / name, keep_default_na=False)
        gemeente = table["niveau"] == "gemeente"
        assert (table.loc[gemeente, "illustratief"] == "ja").all(), name
        assert (table.loc[~gemeente, "illustratief"] == "").all(), name
    ends = pd.read_csv(out / "end_dates.csv")
    assert set(ends.loc[ends["niveau"] == "gemeente", "groep"]) >= {"Groningen", "Midden-Groningen"}
    page = (out / "rapport" / "rapport.html").read_text(encoding="utf-8")
    assert "Groningen (illustratief)" in page and "Per gemeente illustratief" in page
    xlsx = tmp_path / "basis.xlsx"
    assert invoke("export", out, "--xlsx", xlsx).exit_code == 0
    sheet = pd.read_excel(xlsx, sheet_name="Mijlpalen gemeente")
    assert list(sheet.columns[:2]) == ["gemeente", "illustratief"] and (sheet["illustratief"] == "ja").all()
