"""The service order as the scenario's criteria (risk, the local plans, and the agreed prioritisation
I - IV of SodM 2020 par. 3.8), the address file's optional columns they read, and treintjes: clusters
that go through the whole chain together, with how long their street stays unfinished."""

import numpy as np
import pandas as pd
import pytest
from conftest import run, variant
from invariants import check_service_order

from versterking import domain, load_population, load_scenario
from versterking.engine.model import Model
from versterking.engine.rules import Attributes, phase_ranks, ranks, service_order
from versterking.errors import InputError
from versterking.inputs.address_file import read_addresses
from versterking.inputs.embedded import embedded_werkvoorraad
from versterking.runs.address_dates import street_days

ONE_SLOT = ("[resources.{}]\ncapacity = 1\n"
            "[shares]\nschrijnend = 0.3\n[shares.wisselwoning]\nparticulier = 0.0\ncorporatie = 0.0\n"
            "[clusters]\nphase_addresses = 4\n")


def test_ranks_compare_the_columns_in_order():
    first, second = np.array([1, 0, 1, 0, 1]), np.array([5, 9, 5, 1, 2])
    assert ranks([first, second], 5).tolist() == [3, 1, 3, 0, 2]
    assert ranks([], 3).tolist() == [0, 0, 0]


def test_the_key_compares_under_way_then_the_criteria_around_the_waiting_time():
    n = 4
    attributes = Attributes(risk=np.array([2, 0, 0, 1]), lpa=np.full(n, 9999),
                            severity=np.array([0, -3, -1, 0]), hardship=np.array([1, 1, 0, 1]),
                            cluster=np.zeros(n, int))
    before = service_order(("hardship", "waiting", "risk"), attributes, advice_known=False)
    keys = sorted([before(0, 5.0), before(1, 5.0), before(2, 9.0), before(3, 1.0, resuming=True)])
    assert [k.address for k in keys] == [3, 2, 1, 0]  # under way; schrijnend; then equal wait, by risk
    severity = ("severity", "waiting")
    unknown = service_order(severity, attributes, advice_known=False)  # not known before the advice
    assert [k.address for k in sorted(unknown(a, 0.0) for a in range(n))] == [0, 1, 2, 3]
    known = service_order(severity, attributes, advice_known=True)
    assert [k.address for k in sorted(known(a, 0.0) for a in range(n))] == [1, 2, 0, 3]


def test_phases_go_in_the_order_of_their_most_urgent_member():
    phase = np.array([0, 0, 1, 1, 2])
    urgency = np.array([7, 3, 5, 4, 0])
    assert phase_ranks(phase, urgency).tolist() == [1, 1, 2, 2, 0]  # firsts 3, 4, 0


@pytest.mark.parametrize("order", [["hardship", "risk", "waiting"], ["severity", "waiting"],
                                   ["cluster", "risk", "waiting"], ["waiting", "hardship"],
                                   ["lpa", "hardship", "waiting"]])
@pytest.mark.parametrize("resource", domain.RESOURCES[:4])
def test_every_resource_serves_in_the_listed_order(small, resource, order):
    """One slot at one resource, so a line forms: each time work starts there, everyone still waiting
    comes later under the scenario's criteria (tests/invariants.py::check_service_order)."""
    r = run(variant(small, f"{resource}-{len(order)}-{order[0]}", f"service_order = {order}\n"
                    + ONE_SLOT.format(resource)))
    check_service_order(r)


def test_hardship_cases_are_inspected_first(small):
    r = run(variant(small, "schrijnend", 'service_order = ["hardship", "risk", "waiting"]\n'
                    + ONE_SLOT.format("opnamecapaciteit")))
    waiting = np.flatnonzero(r.held == domain.NOG_NIET_GESTART)
    hardship = r.attributes.hardship[waiting] == 0
    assert 0 < hardship.sum() < len(waiting)
    started = r.started[waiting, domain.S_OPNAME]
    assert started[hardship].max() < started[~hardship].min()


def test_a_cluster_phase_is_inspected_together(small):
    """Under cluster first, with one opname slot, a phase's addresses are inspected one after the
    other, never with another phase in between."""
    r = run(variant(small, "treintjes", 'service_order = ["cluster", "risk", "waiting"]\n'
                    + ONE_SLOT.format("opnamecapaciteit")))
    waiting = np.flatnonzero(r.held == domain.NOG_NIET_GESTART)
    phase = r.attributes.cluster[waiting][np.argsort(r.started[waiting, domain.S_OPNAME])]
    changes = np.count_nonzero(np.diff(phase))
    assert changes == len(np.unique(phase)) - 1


EVERY_COLUMN = pd.DataFrame({
    "address_id": ["A1", "A2", "A3", "A4"],
    "gemeente": ["Groningen", "Groningen", "Midden-Groningen", "Eemsdelta"],
    "risk_profile": ["P50", "P90", "grijs", "P90"],
    "owner_type": ["particulier", "corporatie", "corporatie", "particulier"],
    "building_id": ["B1", "B2", "B2", "B4"],
    "cluster_id": ["C1", "C1", "C2", "C2"],
    "milestone": ["nog niet gestart", "opname", "beoordeling", "planvorming"],
    "milestone_date": ["2020-01-01", "2019-05-01", "2018-03-01", "2019-11-11"],
    "planvorming_substep": ["", "", "", "versterkingsbesluit"],
    "lpa_jaar": ["2020", "2019", "", "2019"],
    "batch": ["", "1588", "3260", "1581"],
    "corporatie": ["", "Lefier", "Woonzorg", ""],
    "ernst": ["", "", "3", "1"],
    "schrijnend": ["nee", "Ja", "", "0"],
})


def test_an_address_file_with_every_optional_column(small):
    """The NCG bronbestand's fields as far as the seeds name them: what the model reads of them."""
    folder = small.parent
    EVERY_COLUMN.to_csv(folder / "alles.csv", index=False)
    df = read_addresses(folder / "alles.csv", pd.Timestamp("2020-07-17").date())
    assert df["schrijnend"].tolist() == ["nee", "ja", "", "nee"]
    assert df["batch"].tolist() == ["", "1588", "3260", "1581"]
    path = variant(small, "alles", '[population]\nfile = "alles.csv"\n[shares]\nschrijnend = 1.0\n')
    loaded = load_scenario(path)
    attributes = Model(loaded.scenario, load_population(loaded)).attributes
    assert attributes.lpa.tolist() == [2020, 2019, 9999, 2019]
    assert attributes.hardship.tolist() == [1, 0, 0, 1]  # the file's, else the share (1.0)
    assert attributes.severity[2:].tolist() == [-3, -1]   # the file's ernst
    assert set(attributes.severity[:2].tolist()) <= {-1, -2, -3}


def test_an_address_file_needs_no_building_or_cluster(small):
    folder = small.parent
    EVERY_COLUMN.drop(columns=["building_id", "cluster_id", "lpa_jaar", "ernst"]).to_csv(
        folder / "kaal.csv", index=False)
    df = read_addresses(folder / "kaal.csv", pd.Timestamp("2020-07-17").date())
    assert (df["cluster_id"] == df["address_id"]).all() and (df["lpa_jaar"] == "").all()


@pytest.mark.parametrize(("column", "value", "message"), [
    ("lpa_jaar", "twintig", "row 1, column lpa_jaar: not a year 2015-2100 (or empty: in no plan)"),
    ("ernst", "5", "row 1, column ernst: unknown (empty: not known) (got '5'); allowed: 1, 2, 3"),
    ("schrijnend", "misschien", "row 1, column schrijnend: unknown (empty: not known) (got 'misschien'); "
                                "allowed: ja, nee"),
])
def test_a_bad_optional_value_is_named_by_row_and_column(small, column, value, message):
    bad = EVERY_COLUMN.copy()
    bad.loc[0, column] = value
    bad.to_csv(small.parent / "fout.csv", index=False)
    with pytest.raises(InputError) as error:
        read_addresses(small.parent / "fout.csv", pd.Timestamp("2020-07-17").date())
    assert message in str(error.value)


def test_the_embedded_local_plans_follow_sodm_2020_par_2_1():
    df = embedded_werkvoorraad()
    lpa = df["lpa_jaar"]
    waiting = df["milestone"] == "nog niet gestart"
    assert (waiting & (lpa == "")).sum() == 6600                                  # in no plan
    assert ((df["milestone"] == "opname") & (lpa == "2019")).sum() == 3769 - 1704  # LPA2019's rest
    planned = df[waiting & (lpa == "2020")]
    assert (planned["risk_profile"] == "P50").sum() == (waiting & (df["risk_profile"] == "P50")).sum()
    assert set(lpa[df["milestone"].isin(domain.MILESTONES[2:])]) == {"2019"}


def test_street_days_run_from_the_first_to_the_last_still_to_finish():
    done = np.array([10.0, 40.0, np.inf, 5.0, -100.0, 30.0, 50.0])
    held = np.array([0, 0, 0, 1, domain.VOLTOOID, 2, 3])
    codes = np.array([0, 0, 1, 1, 2, 2, 2])
    out = street_days(done, held, codes, 4)
    assert out[0] == 30.0 and np.isinf(out[1]) and out[2] == 20.0 and np.isnan(out[3])


def test_treintjes_finish_streets_sooner(small):
    """Working a street as one phase shortens the time between its first and last address done."""
    def streets(order: str):
        r = run(variant(small, f"straat-{len(order)}", f"service_order = {order}\n"
                        "[clusters]\nphase_addresses = 10\n"))
        codes = pd.factorize(r.addresses["cluster_id"])[0]
        done = np.where(np.isnan(r.reached[:, domain.VOLTOOID]), np.inf, r.reached[:, domain.VOLTOOID])
        days = street_days(done, r.held, codes, codes.max() + 1)
        return np.nanmean(days)

    assert streets('["cluster", "risk", "waiting"]') < streets('["risk", "waiting"]')
