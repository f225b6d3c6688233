"""The transcribed published figures add up the way the documents say they do."""

from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[1] / "calibration" / "data"
PROFILES = ["P50", "P90", "grijs"]
PHASE_TO_MILESTONE = {"opgenomen": "opname gereed", "beoordeeld": "beoordeling gereed",
                      "planvorming gestart": "planvorming gestart",
                      "project uitgevoerd": "uitvoering gereed"}


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name)


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.csv")))
def test_every_row_cites_its_source(name):
    df = read(name)
    assert "source" in df.columns and df["source"].notna().all() and (df["source"].str.len() > 5).all()


def test_tabel_2_1_profiles_add_up_and_milestones_are_cumulative():
    t = read("tabel_2_1.csv").pivot(index="risk_profile", columns="milestone", values="addresses")
    assert (t.loc[PROFILES].sum() == t.loc["totaal"]).all()
    order = ["werkvoorraad", "opname gereed", "beoordeling gereed", "planvorming gestart",
             "uitvoering gereed"]
    assert (t[order].diff(axis=1).iloc[:, 1:] <= 0).all().all()


def test_tabel_2_2_periods_add_up_to_tabel_2_1():
    t22 = read("tabel_2_2.csv")
    t21 = read("tabel_2_1.csv").query("risk_profile == 'totaal'").set_index("milestone")["addresses"]
    for phase, g in t22.groupby("phase"):
        periods = g[g["period"] != "totaal"]["addresses"].sum()
        total = g[g["period"] == "totaal"]["addresses"].item()
        assert periods == total == t21[PHASE_TO_MILESTONE[phase]], phase


def test_tabel_2_3_and_2_5_profiles_add_up():
    t23 = read("tabel_2_3.csv")
    for _, g in t23.groupby("versnelling"):
        g = g.set_index("risk_profile")
        for col in ("beoordeeld_in_lpa2020", "nog_te_beoordelen_na_lpa2020"):
            assert g.loc[PROFILES, col].sum() == g.loc["totaal", col]
    t25 = read("tabel_2_5.csv").pivot(index="risk_profile", columns="milestone", values="addresses")
    t21 = read("tabel_2_1.csv").pivot(index="risk_profile", columns="milestone", values="addresses")
    assert (t25.loc[PROFILES].sum() == t25.loc["totaal"]).all()
    assert (t25 <= t21).all().all()  # corporaties are part of the whole


def test_tabel_2_4_intervals_add_up_to_totals():
    t = read("tabel_2_4.csv")
    for _, g in t.groupby("category"):
        parts = g[g["interval"] != "totaal"]["days"].sum()
        assert parts == g[g["interval"] == "totaal"]["days"].item()


def test_dashboard_groningen_rows_add_up():
    t = read("dashboard_groningen.csv")
    for _, g in t.groupby("quarter"):
        assert g[g["milestone"] != "totaal"]["addresses"].sum() == g[g["milestone"] == "totaal"][
            "addresses"].item()


def test_scattered_facts_are_consistent():
    f = read("facts.csv").set_index("key")["value"]
    assert f["adviezen_wachtend"] == (f["adviezen_planvorming_voorbereiden"]
                                      + f["adviezen_uitvoeringsplan_opstellen"]
                                      + f["adviezen_bouw_voorbereiden"])
    growth_2020 = f["werkvoorraad_jul_2020"] - f["werkvoorraad_jan_2020"]
    assert abs(growth_2020 - f["werkvoorraad_toegevoegd_2020"]) <= 25  # "ongeveer" 26,250
    t22 = read("tabel_2_2.csv").set_index(["phase", "period"])["addresses"]
    last_year = ("Q3 2019", "Q4 2019", "Q1 2020", "Q2 2020")
    uitgevoerd_last_year = sum(t22["project uitgevoerd", p] for p in last_year)
    assert abs(uitgevoerd_last_year - f["uitgevoerd_jul_2019_jul_2020"]) <= 10  # 318 vs "312" in the text
    opnames_h1 = t22["opgenomen", "Q1 2020"] + t22["opgenomen", "Q2 2020"]
    assert round(opnames_h1 / (f["plan_opnames_2020"] / 2), 2) == f["opnames_h1_2020_share_of_plan"]
