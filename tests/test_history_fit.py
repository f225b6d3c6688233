"""The fit of 2020 - 2024 (versterking.calibration.history_fit): its parameters act on the scenario as
named, its figures are those after the start, and it finds numbers it was given back from figures the
model itself made; the shipped fit holds as it recorded."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from conftest import address_table, invoke, variant

from versterking import load_scenario
from versterking.calibration.history import after, load_figures
from versterking.calibration.history_fit import Parameters, figures_of, fit_history, replay_history

GROWTH = "".join(f"[resources.{r}.growth]\nlead_time = 91\nbacklog_months = 3\nmax_growth = {g}\n"
                 for r, g in (("opnamecapaciteit", 0.5), ("ingenieursbureaus", 0.5), ("planvorming", 0.5),
                              ("bouwcapaciteit", 0.5)))


def norms(*shares: float) -> str:
    rows = ", ".join(f"{{ from = {y}-01-01, P50 = {s}, P90 = {s}, grijs = {s} }}"
                     for y, s in zip(range(2021, 2025), shares, strict=True))
    return f"[shares]\nmeets_norm_changes = [{rows}]\nopnieuw_beoordeeld = 0.1\n"


@pytest.fixture
def replay(small):
    """The small scenario as a replay of 2020 - 2024: 400 addresses, growth tables, a norm per year."""
    address_table(400, seed=3).to_csv(small.parent / "veel.csv", index=False)
    return variant(small, "replay", 'horizon = 2025-01-01\n[population]\nsource = "file"\nfile = "veel.csv"\n'
                   + GROWTH + norms(0.2, 0.4, 0.6, 0.6))


def test_the_parameters_set_the_keys_they_name(replay):
    sc = load_scenario(replay).scenario
    params = Parameters(tuple(c.from_ for c in sc.shares.meets_norm_changes))
    x = params.start(sc)
    assert x.tolist() == [0.5, 0.5, 0.5, 0.5, 0.2, 0.4, 0.6, 0.6, 0.1, 0.0, 0.0]
    moved = params.apply(sc, x + 0.05)
    assert moved.resources.bouwcapaciteit.growth.max_growth == pytest.approx(0.55)
    assert moved.resources.bouwcapaciteit.growth.lead_time == 91  # the rest of the table kept
    assert [c.grijs for c in moved.shares.meets_norm_changes] == pytest.approx([0.25, 0.45, 0.65, 0.65])
    assert moved.shares.herbeoordeling_voldoet == pytest.approx(0.05)
    assert params.start(moved) == pytest.approx(x + 0.05)
    low, high = params.bounds
    assert len(low) == len(high) == len(params.names) == len(x) and (low < high).all()


def test_a_replay_is_held_to_the_figures_after_its_start_and_before_its_horizon():
    sc = load_scenario("replay-2020").scenario
    covered = figures_of(sc)
    assert (covered["datum"] > sc.start).all() and (covered["datum"] <= sc.horizon).all()
    assert len(covered) == len(after(load_figures(), sc.start))  # every later one is before 2025
    afgerond = covered[(covered["maat"] == "voltooid") & (covered["soort"] == "stand")
                       & (covered["datum"] < date(2022, 1, 1))]
    assert len(afgerond) == 2 and (afgerond["reden"] != "").all()  # 1,769 and 2,400: not op norm


@pytest.mark.slow
def test_the_fit_finds_numbers_back_from_figures_the_model_made(replay):
    """Figures made by the replay at known numbers (the norm 0.2 / 0.4 / 0.6 / 0.6), a fit started
    elsewhere (0.5 everywhere): the cost falls to a quarter of where it began or less (46 -> 9 when
    written), and the norm of the years with the most beoordelingen comes back."""
    made, _ = replay_history(replay, replications=1)
    columns = list(load_figures().columns)
    synthetic = made.assign(waarde=made["gesimuleerd"])[lambda t: t["gesimuleerd"].notna()][columns]
    start = variant(replay, "begin", norms(0.5, 0.5, 0.5, 0.5))
    _, before = replay_history(start, replications=1, figures=synthetic)
    fitted = fit_history(start, replications=1, rounds=2, figures=synthetic, log=lambda _: None)
    assert fitted.cost < 0.25 * before
    values = dict(zip(fitted.parameters.names, fitted.x, strict=True))
    assert values["meets_norm vanaf 2021-01-01"] == pytest.approx(0.2, abs=0.15)
    assert values["meets_norm vanaf 2022-01-01"] == pytest.approx(0.4, abs=0.15)


@pytest.mark.slow
def test_the_shipped_history_fit_holds_as_it_recorded():
    result = invoke("calibrate", "--check", "--history", "--replications", 4)
    assert result.exit_code == 0, result.output
    line = result.output.strip().splitlines()[-1]
    assert line.startswith("historie 2020 - 2024: ") and "binnen de marge" in line
    cost, recorded = (float(v) for v in np.array(line.split("kosten ")[1].split(" bij")[0].split(" tegen ")))
    assert cost == pytest.approx(recorded, rel=0.01)  # the same seeds: the fit's own numbers again
