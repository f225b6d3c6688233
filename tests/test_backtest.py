"""The published figures of 2020 - 2024 (calibration/data/ncg_2020_2024.csv), what a run counts for each
(versterking.calibration.history) and the backtest that holds a forecast against the later ones."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import invoke, variant
from hypothesis import given, settings
from hypothesis import strategies as st

from versterking import backtest, load_population, load_scenario, run_scenario
from versterking.calibration.backtest import held_against
from versterking.calibration.history import FILE, FLOWS, STANDS, after, before, load_figures, observe
from versterking.calibration.history_fit import GROWING, Parameters
from versterking.inputs.package_data import published

FIGURES = load_figures()
ROOT = Path(__file__).resolve().parents[1]


def test_every_published_figure_is_compared_or_says_why_not():
    raw = pd.read_csv(published(FILE), keep_default_na=False)
    assert len(raw) == 134  # shared/published/ncg-2020-2024.csv, row for row
    compared = raw["maat"] != ""
    assert (raw.loc[~compared, "niet_vergeleken"].str.len() > 10).all()
    assert (raw.loc[compared, "niet_vergeleken"] == "").all()
    assert (raw["source"].str.len() > 5).all() and raw["source_url"].str.startswith("http").all()
    flows = raw[raw["soort"] == "stroom"]
    assert (flows["vanaf"] < flows["datum"]).all() and (raw.loc[raw["soort"] == "stand", "vanaf"] == "").all()
    assert set(FIGURES["maat"]) <= set(STANDS) | set(FLOWS) and len(FIGURES) == compared.sum()


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.dates(date(2020, 1, 1), date(2025, 6, 30)))
def test_a_forecast_is_held_only_to_what_came_after_it_and_a_fit_sees_only_what_came_before(origin):
    later, known = after(FIGURES, origin), before(FIGURES, origin)
    assert (later["datum"] > origin).all() and (known["datum"] <= origin).all()
    assert all(v is None or v >= origin for v in later["vanaf"])  # no year to date begun before it
    assert len(later) + len(known) <= len(FIGURES)


def _figure(datum: date, maat: str, soort: str = "stand", vanaf: date | None = None) -> dict:
    return {"datum": datum, "maat": maat, "soort": soort, "vanaf": vanaf, "waarde": 0.0, "definitie": "",
            "source": "test", "betrouwbaarheid": "high"}


def test_what_a_run_counts_agrees_with_its_own_arrays(small):
    loaded = load_scenario(small)
    r = run_scenario(loaded.scenario, load_population(loaded))
    start = r.scenario.start
    middle = start + timedelta(days=int(r.end_time / 2))
    end = start + timedelta(days=int(r.end_time) + 1)
    asked = pd.DataFrame([
        _figure(middle, "werkvoorraad"), _figure(middle, "voltooid"), _figure(middle, "versterkt"),
        _figure(middle, "voldoet aan de norm"), _figure(middle, "niet voltooid"), _figure(end, "voltooid"),
        _figure(end, "versterkt", "stroom", start), _figure(end, "voldoet aan de norm", "stroom", start),
        _figure(end, "beoordeeld", "stroom", start), _figure(end, "eerste beoordeling", "stroom", start),
        _figure(end, "opgenomen", "stroom", start), _figure(start - timedelta(days=1), "voltooid"),
        _figure(end, "opgenomen", "stroom", start - timedelta(days=1)),
    ])
    values, opgave = observe(r, asked)
    n = len(r.addresses)
    assert values[0] == n and opgave[0] == n
    assert values[1] == values[2] + values[3] and values[1] + values[4] == n
    held_done = int((r.held == 5).sum())
    assert values[5] == r.takes_part.sum()  # everyone taking part is voltooid at the end
    assert values[6] + values[7] + held_done == values[5]  # every voltooid got there in the run or before
    redone = int((~np.isnan(r.first_beoordeling[:, 2])).sum())
    assert values[8] - values[9] >= redone  # work done again counts in beoordeeld, not in eerste beoordeling
    assert values[10] == int((~np.isnan(r.ended[:, 0])).sum())
    assert np.isnan(values[11]) and np.isnan(values[12])  # before the run; a period begun before it


def test_a_band_holds_a_figure_and_errors_are_points_of_the_opgave():
    figures = pd.DataFrame([{**_figure(date(2022, 1, 1), "voltooid"), "waarde": 500.0},
                            {**_figure(date(2023, 1, 1), "voltooid"), "waarde": 900.0}])
    values = np.array([[400.0 + 10 * i, 600.0 + 10 * i] for i in range(11)])  # P10 410, P50 450, P90 490
    opgave = np.full_like(values, 1000.0)
    table = held_against(figures, values, opgave, "x", date(2020, 7, 17))
    assert table["P50"].tolist() == [450.0, 650.0]
    assert table["binnen"].tolist() == [False, False]
    assert table["fout (punten)"].tolist() == pytest.approx([-5.0, -25.0])
    assert table["breedte (punten)"].tolist() == pytest.approx([8.0, 8.0])
    inside = held_against(figures.assign(waarde=[450.0, 610.0]), values, opgave, "x", date(2020, 7, 17))
    assert inside["binnen"].tolist() == [True, True]


def test_the_backtest_does_not_depend_on_the_workers(small):
    one = backtest([small], replications=3, workers=1).figures
    two = backtest([small], replications=3, workers=2).figures
    pd.testing.assert_frame_equal(one, two)
    assert (one["datum"] > date(2020, 7, 17)).all() and len(one) == len(after(FIGURES, date(2020, 7, 17)))


def test_the_command_writes_its_folder_and_refuses_what_it_cannot_do(small, tmp_path):
    out = tmp_path / "bt"
    result = invoke("backtest", small, "--replications", 2, "--workers", 1, "--out", out)
    assert result.exit_code == 0, result.output
    assert "klein (vanaf 17-07-2020)" in result.output and "binnen P10 - P90" in result.output
    for name in ("backtest.csv", "backtest_samenvatting.csv", "backtest.png", "summary.txt", "manifest.json"):
        assert (out / name).is_file(), name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["replications"] == 2 and manifest["origins"][0]["scenario"]["name"] == "klein"
    again = invoke("backtest", small, "--replications", 2, "--out", out)
    assert again.exit_code == 2 and "--force" in again.output
    late = variant(small, "laat", "start = 2025-01-01\n")
    refused = invoke("backtest", late, "--replications", 2, "--out", tmp_path / "laat")
    assert refused.exit_code == 2 and len(refused.output.strip().splitlines()) == 1
    assert "laat.toml: start: 2025-01-01" in refused.output and not (tmp_path / "laat").exists()


class _FakeFit:
    """What learn reads of a history fit: its table and its values (a fixed answer per growth)."""

    def __init__(self, determined: dict[str, tuple[float, float]], fitted: int):
        self.values = pd.DataFrame([
            {"parameter": f"resources.{r}.growth.max_growth", "waarde": determined.get(r, (0.5, 2.0))[0],
             "standaardfout": determined.get(r, (0.5, 2.0))[1], "bepaald": r in determined} for r in GROWING])
        self.table = pd.DataFrame({"gefit": [True] * fitted})
        self.parameters = Parameters(())  # the bounds: growth 0.01 - 3 a year
        self.x = np.r_[self.values["waarde"].to_numpy(), np.zeros(3)]  # and no share done again


def test_the_method_learns_only_from_figures_up_to_its_origin(monkeypatch):
    import versterking.calibration.learned as learned

    seen = {}

    def fake_fit(replay, replications, workers, figures, log):
        seen.update(figures=figures, horizon=replay.scenario.horizon, start=replay.scenario.start)
        return _FakeFit({"bouwcapaciteit": (0.4, 0.25), "ingenieursbureaus": (0.2, 0.05),
                         "opnamecapaciteit": (2.5, 0.5)}, len(figures))

    monkeypatch.setattr(learned, "fit_history", fake_fit)
    forecast = load_scenario("vanaf-2021-10-31")
    taught = learned.learn(forecast, figures=FIGURES, log=lambda _: None)
    origin = date(2021, 10, 31)
    assert seen["horizon"] == origin and (seen["figures"]["datum"] <= origin).all()
    assert len(seen["figures"]) == len(before(FIGURES, origin)) > 20
    assert taught.ranges == {"bouwcapaciteit": (0.01, 0.4, 0.9), "opnamecapaciteit": (1.5, 2.5, 3.0),
                             "ingenieursbureaus": pytest.approx((0.1, 0.2, 0.3))}  # within the fit's bounds
    sc, plain = taught.loaded.scenario, forecast.scenario
    assert sc.name == "vanaf-2021-10-31-geleerd" and sc.seed == plain.seed and sc.start == plain.start
    replay = load_scenario("replay-2020").scenario
    grown = sc.resources.bouwcapaciteit.growth
    assert grown.max_growth == 0.4 and grown.lead_time == replay.resources.bouwcapaciteit.growth.lead_time
    assert sc.resources.planvorming.growth == plain.resources.planvorming.growth  # not determined: as given
    for r, day in taught.over_since.items():  # a line long at the origin in the fitted replay: since when
        assert getattr(sc.resources, r).growth.over_since == day < origin and r in taught.ranges
    names = {p.name for p in sc.uncertain}
    assert {"groei_bouwcapaciteit", "groei_ingenieursbureaus"} <= names
    assert taught.loaded.content_hash != forecast.content_hash  # the manifest tells the two apart
    later = FIGURES.assign(waarde=np.where(FIGURES["datum"] > origin, 100 * FIGURES["waarde"],
                                           FIGURES["waarde"]))
    learned.learn(forecast, figures=later, log=lambda _: None)
    pd.testing.assert_frame_equal(seen["figures"], before(FIGURES, origin))  # later figures never reach it


def test_actueel_groei_is_what_the_method_learns_from_the_shipped_history_fit():
    """The forecast from the end-2024 stand takes its growth from the fit, as `backtest --learn` would:
    hand-copied ranges drifted (0.35 for 0.3555, no over_since) before this test."""
    from versterking.calibration.learned import learned_growth

    forecast = load_scenario("actueel-groei")
    origin = forecast.scenario.start
    fitted = load_scenario(ROOT / "scenarios" / "historie-2020.toml")
    values = pd.read_csv(ROOT / "calibration" / "report-historie" / "historie_parameters.csv")
    ranges, overrides, long_since = learned_growth(fitted, values, origin)
    assert set(ranges) == {"bouwcapaciteit", "ingenieursbureaus"}  # what the 2020 - 2024 figures determine
    for key, growth in overrides.items():
        r = key.split(".")[1]
        shipped = getattr(forecast.scenario.resources, r).growth.model_dump(exclude_none=True)
        expected = {**growth, "max_growth": growth["max_growth"]["mode"]}
        assert shipped == pytest.approx(expected), f"scenarios/actueel-groei.toml [{key}]: write {growth}"
        drawn = next(p for p in forecast.scenario.uncertain if p.name == growth["max_growth"]["name"])
        assert (drawn.spec.low, drawn.spec.mode, drawn.spec.high) == pytest.approx(
            tuple(growth["max_growth"][k] for k in ("low", "mode", "high"))), key
    assert long_since == {"bouwcapaciteit": date(2021, 4, 16)}  # its line held a year of work since 2021


def test_a_method_with_nothing_published_before_it_learns_nothing(small, tmp_path):
    out = tmp_path / "bt"
    result = invoke("backtest", small, "--replications", 2, "--workers", 1, "--learn", "--out", out)
    assert result.exit_code == 0, result.output
    assert "klein: vóór de stand is niets gepubliceerd" in result.output
    assert "backtest: 4 van 4 replicaties (100%)" in result.output  # the learned run it skips counts as done
    manifest = json.loads((out / "manifest.json").read_text())
    assert [o["learned"] for o in manifest["origins"]] == [None]
