"""A verdeelsleutel: a resource divided over the gemeenten or the owner types, each part serving only
its own group (wisselwoningen per gemeente, the corporaties' own builders)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from conftest import invoke, run, variant
from invariants import check_all

from versterking import domain
from versterking.calendar import days_since
from versterking.engine.split import merged_monitor, part_schedules
from versterking.errors import InputError
from versterking.runs import tables
from versterking.runs.waiting import _lines, bottlenecks_per_gemeente

ALL_NEED_ONE = "[shares]\nwisselwoning = { particulier = 1.0, corporatie = 1.0 }\n"
NONE_FOR_GRONINGEN = """
[resources.wisselwoningen]
capacity = 2
split = { by = "gemeente", shares = { Groningen = 0.0, Loppersum = 1.0 } }
"""


def started_uitvoering(r, column: str, group: str) -> np.ndarray:
    """Whether each address of `group` that had uitvoering ahead of it started it in the run."""
    mine = (r.held < domain.UITVOERING) & (r.addresses[column].to_numpy() == group)
    return ~np.isnan(r.started[mine, domain.S_UITVOERING])


def test_parts_follow_their_shares_and_serve_only_their_group(small):
    r = run(variant(small, "sleutel", """
[resources.bouwcapaciteit]
capacity = 4
split = { by = "gemeente", shares = { Groningen = 0.75, Loppersum = 0.25 } }
[resources.planvorming]
capacity = 5
split = { by = "owner_type" }
"""))
    check_all(r)  # capacity and service order per part, from the scenario's words
    parts = r.part_monitors["bouwcapaciteit"]
    assert sorted(parts) == ["Groningen", "Loppersum"]
    assert parts["Groningen"][:, 2].max() == 3 and parts["Loppersum"][:, 2].max() == 1
    assert parts["Loppersum"][:, 1].max() <= 1
    whole = r.monitors["bouwcapaciteit"]
    assert whole[-1, 2] == 4 and whole[:, 1].max() <= 4


def test_wisselwoningen_per_gemeente_leave_a_gemeente_short_while_another_has_room(small):
    base = variant(small, "allen", ALL_NEED_ONE)
    together, apart = run(base), run(variant(base, "apart", NONE_FOR_GRONINGEN))
    assert not started_uitvoering(apart, "gemeente", "Groningen").any()  # no wisselwoning for them, ever
    assert started_uitvoering(apart, "gemeente", "Loppersum").any()
    assert started_uitvoering(together, "gemeente", "Groningen").any()
    assert tables.wisselwoningen_tekort(apart) > 0
    groningen = apart.part_monitors["wisselwoningen"]["Groningen"]
    assert groningen[:, 2].max() == 0 and groningen[-1, 3] > 0  # still waiting at the horizon
    check_all(apart)
    quarterly = tables.resources_quarterly(apart).set_index(["middel", "kwartaal"])["tekort"]
    part, whole = quarterly.loc["wisselwoningen/Groningen"], quarterly.loc["wisselwoningen"]
    assert part.max() > 0 and (whole >= part - 1e-9).all()
    assert (quarterly.loc["wisselwoningen/Loppersum"] + part - whole).abs().max() < 1e-9


def test_parts_per_gemeente_are_illustratief_only_on_the_embedded_split(small):
    r = run(variant(small, "apart", '[resources.wisselwoningen]\ncapacity = 2\n'
                                    'split = { by = "gemeente" }\n'))
    own = tables.make_tables(r).resources
    assert set(own["illustratief"]) == {""}
    embedded = r.scenario.model_copy(update={"population": r.scenario.population.model_copy(
        update={"source": "embedded"})})
    marked = tables.illustrative_parts(own, embedded)
    assert set(marked.loc[marked["illustratief"] == "ja", "middel"]) == {
        "wisselwoningen/Groningen", "wisselwoningen/Loppersum"}


def test_corporaties_build_with_their_own_contractors(small):
    r = run(variant(small, "kanaal", """
[resources.bouwcapaciteit]
capacity = 3
split = { by = "owner_type", shares = { corporatie = 1.0, particulier = 0.0 } }
"""))
    assert started_uitvoering(r, "owner_type", "corporatie").any()
    assert not started_uitvoering(r, "owner_type", "particulier").any()
    check_all(r)


def test_a_hand_over_takes_the_longest_waiting_over_all_parts(small):
    r = run(variant(small, "impuls", """
[resources.planvorming]
capacity = 0
split = { by = "gemeente" }
[measures.bouwimpuls]
capacity = [{ from = 2021-01-01, value = 3 }]
tranches = [{ from = 2021-01-01, addresses = 5 }]
preparation = { dist = "fixed", value = 11 }
"""))
    taken = np.flatnonzero(r.handed_over > 0)
    assert len(taken) == 5 and r.addresses["gemeente"].iloc[taken].nunique() == 2
    waiting = np.flatnonzero(~np.isnan(r.queued[:, domain.S_VOORBEREIDEN]) & (r.held < domain.PLANVORMING)
                             & (r.queued[:, domain.S_VOORBEREIDEN] <= 168))
    order = np.lexsort((waiting, r.queued[waiting, domain.S_VOORBEREIDEN], r.attributes.risk[waiting]))
    assert sorted(taken.tolist()) == sorted(waiting[order][:5].tolist())


def test_part_schedules_add_up_to_the_whole():
    schedule = [(0.0, 7), (10.0, 8), (20.0, 0), (30.0, 101)]
    parts = part_schedules(schedule, np.array([0.5, 0.3, 0.2]))
    for t, whole in schedule:
        assert sum([c for s, c in p if s <= t][-1] for p in parts) == whole
    assert parts[0][0] == (0.0, 4) and parts[2][-1] == (30.0, 20)


def test_the_whole_monitor_is_the_sum_of_its_parts():
    a = np.array([[0, 0, 2, 0, 0], [1, 1, 2, 3, 0], [5, 0, 2, 0, 0]], float)
    b = np.array([[0, 0, 1, 0, 0], [1, 1, 1, 0, 0], [2, 0, 3, 1, 1]], float)
    whole = merged_monitor([a, b])
    edges = np.array([0.0, 1.0, 2.0, 5.0, 9.0])
    np.testing.assert_allclose(tables.areas(whole, edges), tables.areas(a, edges) + tables.areas(b, edges))
    assert whole[-1].tolist() == [5, 0, 5, 1, 1]


BAD_SPLITS = [
    ('{ by = "gemeente", shares = { Groningen = 1.0 } }',
     "x.toml: resources.bouwcapaciteit.split.shares: no share for Loppersum; allowed: one share for each "
     "of Groningen, Loppersum"),
    ('{ by = "gemeente", shares = { Groningen = 0.5, Loppersum = 0.4, Ten-Boer = 0.1 } }',
     "x.toml: resources.bouwcapaciteit.split.shares: Ten-Boer is not a gemeente of the werkvoorraad"),
    ('{ by = "gemeente", shares = { Groningen = 0.5, Loppersum = 0.4 } }',
     "x.toml: resources.bouwcapaciteit.split: split shares must add up to 1 (they add up to 0.9)"),
    ('{ by = "buurt" }',
     "x.toml: resources.bouwcapaciteit.split.by: Input should be 'gemeente' or 'owner_type'"),
]


@pytest.mark.parametrize(("split", "message"), BAD_SPLITS)
def test_a_bad_verdeelsleutel_gives_one_line_and_exit_2(small, tmp_path, split, message):
    path = variant(small, "x", f"[resources.bouwcapaciteit]\ncapacity = 4\nsplit = {split}\n")
    result = invoke("run", path, "--replications", 1, "--out", tmp_path / "uit")
    assert result.exit_code == 2, result.output
    assert message in result.output and result.output.count("\n") == 1, result.output
    assert not (tmp_path / "uit").exists()


def test_the_cluster_gate_cannot_be_combined_with_divided_builders(small):
    from versterking import load_scenario
    with pytest.raises(InputError, match="cluster_uitvoering cannot be combined with a split"):
        load_scenario(variant(small, "x", 'cluster_uitvoering = true\n[resources.wisselwoningen]\n'
                                          'capacity = 2\nsplit = { by = "gemeente" }\n'))


def test_binding_resource_per_gemeente_counts_each_gemeente_s_own_waiting(small):
    r = run(variant(variant(small, "allen", ALL_NEED_ONE), "apart", NONE_FOR_GRONINGEN))
    per = bottlenecks_per_gemeente(r).set_index(["gemeente", "jaar"])
    late = per.loc["Groningen"].loc[2030:]  # its addresses wait for a wisselwoning that never comes
    assert (late["knelpunt"] == "wisselwoningen").all()
    assert (per.loc["Loppersum"].loc[2030:, "knelpunt"] != "wisselwoningen").all()
    # the lines' own monitors agree with the addresses' times, summed over the gemeenten
    quarterly = tables.resources_quarterly(r)
    lines = _lines(r)
    start = r.scenario.start.year
    for name in ("opnamecapaciteit", "planvorming"):
        lo, hi = days_since(r.scenario.start, date(start + 1, 1, 1)), days_since(r.scenario.start,
                                                                                 date(start + 2, 1, 1))
        from_times = lines[name](lo, hi).sum() / (hi - lo)
        q = quarterly[(quarterly["middel"] == name) & quarterly["kwartaal"].str.endswith(str(start + 1))]
        assert from_times == pytest.approx(q["wachtrij"].mean(), rel=0.02, abs=0.05)
