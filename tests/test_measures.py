"""Each versnellingsmaatregel changes what it should and nothing else (same seed: common random
numbers, so a run with a measure is compared with the same addresses' luck without it)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from conftest import ALL_MEASURES, address_table, run, variant
from invariants import capacity_in_force

from versterking import domain, load_scenario
from versterking.calendar import days_since
from versterking.engine.measure_rules import measure_rules
from versterking.engine.schedules import resource_changes
from versterking.errors import InputError
from versterking.runs import tables


@pytest.fixture
def many(small):
    """The small scenario with 400 addresses, so every measure has someone to act on."""
    address_table(400, seed=3).to_csv(small.parent / "veel.csv", index=False)
    return variant(small, "veel", '[population]\nsource = "file"\nfile = "veel.csv"\n')


SLOW_PLANVORMING = "[resources.planvorming]\ncapacity = 1\n"  # a line to hand addresses over from
NAMES = [block.split("]")[0] for block in ALL_MEASURES.split("\n[measures.")[1:]]


def with_measures(base, keep: tuple[str, ...], extra: str = "", name: str | None = None):
    """`base` plus ALL_MEASURES with all but `keep` switched off (by a file that extends it, as a
    user would), and `extra` lines added to the first kept measure's block."""
    parent = base.parent / "alle-maatregelen.toml"
    parent.write_text(f'extends = "{base.name}"\nname = "alle"\n{ALL_MEASURES}', encoding="utf-8")
    name = name or "-".join(keep) or "geen"
    off = "".join(f"[measures.{n}]\nenabled = false\n" for n in NAMES if n not in keep)
    more = f"[measures.{keep[0]}]\n{extra}" if extra else ""
    path = base.parent / f"{name}.toml"
    path.write_text(f'extends = "{parent.name}"\nname = "{name}"\n{off}{more}', encoding="utf-8")
    return path


def with_measure(base, name: str, extra: str = ""):
    return with_measures(base, (name,), extra)


def test_measures_switched_off_change_nothing(many):
    base = run(many)
    path = with_measures(many, ())
    assert load_scenario(path).scenario.measures.active() == []
    r = run(path)
    for field in ("reached", "started", "ended"):
        np.testing.assert_array_equal(getattr(r, field), getattr(base, field))


def test_all_measures_together_keep_every_address_accounted_for(many):
    r = run(with_measures(many, tuple(NAMES)))
    assert len(r.addresses) == 430 and not np.isnan(r.reached[:, domain.VOLTOOID]).any()
    m = tables.milestones_quarterly(r)
    totaal = m[m["niveau"] == "totaal"]
    columns = ["nog niet gestart", "opname", "beoordeling", "planvorming", "uitvoering", "voltooid"]
    assert (totaal[columns].sum(axis=1) == totaal["totaal"]).all()


def test_typologie_shortens_beoordeling_and_uses_less_ingenieursbureau(many):
    base, r = run(many), run(with_measure(many, "typologie"))
    start = days_since(r.scenario.start, date(2021, 1, 1))
    typed = r.route == domain.TYPOLOGIE
    assert typed.sum() > 20
    began = r.started[typed, domain.S_BEOORDELING]
    assert (began >= start).all()
    np.testing.assert_allclose(r.ended[typed, domain.S_BEOORDELING] - began, 3.0)
    # klassiek beoordelingen started after the first day keep their own drawn duration
    klassiek = (r.route == domain.KLASSIEK) & (r.started[:, domain.S_BEOORDELING] > 0)
    same = klassiek & (base.started[:, domain.S_BEOORDELING] > 0)
    np.testing.assert_allclose((r.ended - r.started)[same, domain.S_BEOORDELING],
                               (base.ended - base.started)[same, domain.S_BEOORDELING])
    ib = lambda x: np.nansum(x.ended[:, domain.S_BEOORDELING] - x.started[:, domain.S_BEOORDELING])  # noqa: E731
    assert ib(r) < 0.8 * ib(base)
    # nothing before its date is typed, and nothing else changes for those addresses' draws
    assert not (r.route[r.started[:, domain.S_BEOORDELING] < start] == domain.TYPOLOGIE).any()


def test_typologie_standard_measures_shorten_planvorming_and_uitvoering(many):
    """planvorming_factor and uitvoering_factor: an address judged by typologie plans and builds in
    that share of its drawn time; the others keep theirs."""
    extra = "planvorming_factor = 0.5\nuitvoering_factor = 0.8\n"
    plain = run(with_measures(many, ("typologie",)))
    r = run(with_measures(many, ("typologie",), extra, name="standaard"))
    typed = (r.route == domain.TYPOLOGIE) & ~np.isnan(r.ended[:, domain.S_UITVOERING])
    assert typed.sum() > 10
    steps = [domain.S_VOORBEREIDEN, domain.S_UITVOERINGSPLAN, domain.S_BESLUIT]
    took = (r.ended - r.started)[typed]
    np.testing.assert_allclose(took[:, steps], 0.5 * (plain.ended - plain.started)[typed][:, steps])
    u = domain.S_UITVOERING
    np.testing.assert_allclose(took[:, u], 0.8 * (plain.ended - plain.started)[typed][:, u])
    others = (r.route == domain.KLASSIEK) & (r.held < domain.PLANVORMING) & ~np.isnan(r.ended[:, u])
    others &= ~np.isnan(plain.ended[:, u])
    np.testing.assert_allclose((r.ended - r.started)[others, u], (plain.ended - plain.started)[others, u])


def test_praktijkaanpak_uses_neither_an_ingenieursbureau_nor_a_builder(many):
    """The contractor's own experts judge (SodM 2020 par. 3.2): the beoordeling takes its duration
    from the day the address joins, waiting for no slot of the general lines."""
    r = run(with_measure(many, "praktijkaanpak"))
    log = tables.event_log(r)
    beoordeling = log[log["stap"] == "beoordeling"]
    prak = beoordeling[beoordeling["aanpak"] == "praktijkaanpak"]
    assert len(prak) > 10 and (prak["middel"] == "geen (aannemer)").all()
    assert (beoordeling.loc[beoordeling["aanpak"] != "praktijkaanpak", "middel"] == "ingenieursbureaus").all()
    # the pilot: exactly 10 before the scale-up date
    scale = days_since(r.scenario.start, date(2021, 6, 1))
    early = (r.route == domain.PRAKTIJKAANPAK) & (r.queued[:, domain.S_BEOORDELING] < scale)
    assert early.sum() == 10
    np.testing.assert_allclose((prak["einde_dag"] - prak["start_dag"]).to_numpy(), 7.0)
    chosen = r.route == domain.PRAKTIJKAANPAK
    b = domain.S_BEOORDELING
    # it starts the moment it joins: on the peildatum for the werkvoorraad, else when its opname ends
    np.testing.assert_array_equal(r.started[chosen, b], np.maximum(r.queued[chosen, b], 0.0))
    # and the builders only build: their work in use never exceeds the schedule with uitvoering alone
    from test_model import in_service_at_starts

    t, level = in_service_at_starts(r, [domain.S_UITVOERING])
    assert np.all(level <= capacity_in_force(r.scenario, "bouwcapaciteit", t))  # the scenario's words


def test_referentiewoningen_follow_their_reference(many):
    base, r = run(many), run(with_measure(many, "referentiewoningen"))
    followers = np.flatnonzero(r.route == domain.REFERENTIEWONING)
    assert len(followers) > 10
    building = r.addresses["building_id"].to_numpy()
    for a in followers:
        mates = np.flatnonzero((building == building[a]) & (r.route != domain.REFERENTIEWONING)
                               & ~np.isnan(r.ended[:, domain.S_BEOORDELING]))
        assert len(mates) == 1  # its reference
        ref = mates[0]
        assert r.meets_norm[a] == r.meets_norm[ref]
        assert r.started[a, domain.S_BEOORDELING] >= r.ended[ref, domain.S_BEOORDELING]
        assert r.ended[a, domain.S_BEOORDELING] - r.started[a, domain.S_BEOORDELING] == 2.0
    assert (~np.isnan(r.started[:, domain.S_BEOORDELING]) & (r.route != domain.REFERENTIEWONING)).sum() \
        < (~np.isnan(base.started[:, domain.S_BEOORDELING])).sum()


def test_bouwimpuls_hands_a_tranche_straight_to_execution(many):
    r = run(variant(with_measure(many, "bouwimpuls"), "impuls-traag", SLOW_PLANVORMING))
    day = days_since(r.scenario.start, date(2021, 1, 1))
    handed = np.flatnonzero(r.handed_over == domain.BOUWIMPULS)
    assert len(handed) == 5
    assert np.isnan(r.started[handed, domain.S_UITVOERINGSPLAN]).all()  # no planvorming slot
    np.testing.assert_allclose(r.started[handed, domain.S_BESLUIT], day)
    np.testing.assert_allclose(r.ended[handed, domain.S_BESLUIT], day + 11)
    assert (r.started[handed, domain.S_UITVOERING] >= day + 11).all()
    # the most urgent went (risk first, then longest waiting): nobody left in line was ahead of them
    profile = r.addresses["risk_profile"].map({"P50": 0, "P90": 1, "grijs": 2}).to_numpy()
    queued = r.queued[:, domain.S_VOORBEREIDEN]
    left = np.flatnonzero((queued <= day) & ~(r.started[:, domain.S_VOORBEREIDEN] <= day)
                          & (r.handed_over == 0) & (r.held < domain.PLANVORMING))
    assert len(left) > 0
    last_taken = max((profile[a], queued[a]) for a in handed)
    assert all((profile[a], queued[a]) >= last_taken for a in left)
    # and the Bouwimpuls's builders come on top of the scenario's own
    on = np.array([day, day + 30.0])
    base = load_scenario(many).scenario
    np.testing.assert_array_equal(capacity_in_force(r.scenario, "bouwcapaciteit", on),
                                  capacity_in_force(base, "bouwcapaciteit", on) + 3)


def test_batch_1581_mix_and_reassessment(many):
    r = run(variant(with_measure(many, "batch_1581"), "batch-traag", SLOW_PLANVORMING))
    day = days_since(r.scenario.start, date(2021, 3, 1))
    handed = np.flatnonzero(r.handed_over == domain.BATCH_1581)
    profiles = r.addresses["risk_profile"].to_numpy()[handed]
    assert sorted(profiles) == ["P90"] * 3 + ["grijs"] * 3
    # every owner chose a reassessment: a beoordeling after the hand-over, then lighter uitvoering
    assert (r.route[handed] == domain.HERBEOORDELING).all()
    assert (r.queued[handed, domain.S_BEOORDELING] >= day).all()
    took = (r.ended - r.started)[handed, domain.S_UITVOERING]
    np.testing.assert_allclose(took, 45.0)


def test_npr_update_judges_from_its_date(many):
    r = run(with_measure(many, "npr_2020"))
    day = days_since(r.scenario.start, date(2021, 1, 1))
    ends = r.ended[:, domain.S_BEOORDELING]
    after = ends >= day
    assert after.sum() > 20 and r.meets_norm[after].all()
    before = ends < day
    assert not r.meets_norm[before].all() and before.sum() > 0
    lighter = run(with_measure(many, "npr_2020", "meets_norm = { P50 = 0.0, P90 = 0.0, grijs = 0.0 }\n"
                                                 "uitvoering_factor = 0.5\n"))
    judged_after = lighter.ended[:, domain.S_BEOORDELING] >= day
    took = (lighter.ended - lighter.started)[judged_after, domain.S_UITVOERING]
    np.testing.assert_allclose(took[~np.isnan(took)], 45.0)


def test_later_norms_judge_from_their_dates_and_replace_the_npr(many):
    """shares.meets_norm_changes: from 2021 nobody meets the norm, from mid 2021 everybody; the NPR (all
    from 2021, ALL_MEASURES) is replaced by the change of the same day. The flow model asks the same
    rule (test_flow's test that patches it shows it does)."""
    changes = ("[shares]\nmeets_norm_changes = [{ from = 2021-01-01, P50 = 0.0, P90 = 0.0, grijs = 0.0 },\n"
               "  { from = 2021-07-01, P50 = 1.0, P90 = 1.0, grijs = 1.0 }]\n")
    path = variant(with_measure(many, "npr_2020"), "later", changes)
    r = run(path)
    start = r.scenario.start
    first, second = (days_since(start, date(2021, 1, 1)), days_since(start, date(2021, 7, 1)))
    ends = r.ended[:, domain.S_BEOORDELING]
    between, after = (ends >= first) & (ends < second), ends >= second
    assert between.sum() > 10 and not r.meets_norm[between].any()
    assert after.sum() > 10 and r.meets_norm[after].all()
    rules = measure_rules(r.scenario)
    assert rules.norm(domain.KLASSIEK, first - 1) == r.scenario.shares.meets_norm
    assert rules.norm(domain.KLASSIEK, first).P50 == 0.0  # not the NPR's 1.0 of the same day
    assert rules.norm(domain.KLASSIEK, second).grijs == 1.0
    flow_path = variant(path, "zonder-npr", "[measures.npr_2020]\nenabled = false\n")
    assert measure_rules(load_scenario(flow_path).scenario).norm(domain.KLASSIEK, first).P50 == 0.0


def test_later_norms_must_be_in_date_order(many):
    path = variant(many, "door", "[shares]\nmeets_norm_changes = [{ from = 2022-01-01, P50 = 0.1, P90 = 0.1, "
                                 "grijs = 0.1 }, { from = 2021-01-01, P50 = 0.2, P90 = 0.2, grijs = 0.2 }]\n")
    with pytest.raises(InputError, match=r"door\.toml: shares: .*date order"):
        load_scenario(path)


def test_opname_op_verzoek_adds_addresses_that_need_no_beoordeling(many):
    r = run(with_measure(many, "opname_op_verzoek"))
    new = r.addresses["address_id"].str.startswith("opname-op-verzoek").to_numpy()
    assert new.sum() == 30 and (r.addresses.loc[new, "risk_profile"] == "grijs").all()
    assert np.isnan(r.started[new, domain.S_BEOORDELING]).all()
    assert not np.isnan(r.reached[new, domain.VOLTOOID]).any()


def test_crisisaanpak_scales_the_schedule_with_a_ramp(many):
    sc = load_scenario(with_measure(many, "crisisaanpak")).scenario
    base = load_scenario(many).scenario
    t0, t1 = days_since(sc.start, date(2022, 1, 1)), days_since(sc.start, date(2023, 1, 1))
    scaled = dict(resource_changes(sc, "bouwcapaciteit"))
    plain = resource_changes(base, "bouwcapaciteit")
    assert resource_changes(sc, "ingenieursbureaus") == resource_changes(base, "ingenieursbureaus")
    value_at = lambda ch, t: [c for s, c in ch if s <= t][-1]  # noqa: E731
    assert value_at(list(scaled.items()), t0 - 1) == value_at(plain, t0 - 1)
    assert value_at(list(scaled.items()), t1 + 1) == 10 * value_at(plain, t1 + 1)
    mid = value_at(list(scaled.items()), (t0 + t1) / 2)
    assert value_at(plain, t1) < mid < 10 * value_at(plain, t1)


def test_a_referentiewoning_reassessed_in_batch_1581_keeps_its_group_going(small):
    """Found by the hostile-input fuzzer: a reference address judged a second time (reassessed after
    a batch 1581 hand-over) fired its group's event twice and crashed the run. Its followers follow
    its first outcome."""
    r = run(with_measures(small, tuple(NAMES)))
    assert (r.route == domain.HERBEOORDELING).sum() > 0
    assert (r.route == domain.REFERENTIEWONING).sum() > 0


def test_followers_keep_their_references_first_outcome(many):
    """A reference handed over in batch 1581 and reassessed to meet the norm: its followers, also
    those judged after the reassessment, keep its first outcome (does not meet the norm, the
    uitvoering of the first judgement)."""
    path = with_measures(many, ("referentiewoningen", "batch_1581"), name="herbeoordeelde-referentie")
    path = variant(path, "herbeoordeeld", SLOW_PLANVORMING + """
[measures.referentiewoningen]
group = "cluster"
[measures.batch_1581]
tranche = { from = 2022-01-01, addresses = 200 }
meets_norm = { P50 = 1.0, P90 = 1.0, grijs = 1.0 }
""")
    r = run(path)
    cluster = r.addresses["cluster_id"].to_numpy()
    first = r.first_beoordeling  # queued, started, ended, route
    # the references that were reassessed: every address that needs a beoordeling from the measure's
    # start follows its cluster's first one, so an address first assessed klassiek is a reference
    references = np.flatnonzero((r.route == domain.HERBEOORDELING) & ~np.isnan(first[:, 1])
                                & (first[:, 3] == domain.KLASSIEK))
    late, checked = 0, 0
    for ref in references:
        followers = np.flatnonzero((cluster == cluster[ref]) & (r.route == domain.REFERENTIEWONING))
        assert r.meets_norm[ref]  # the reassessment met the norm ...
        assert not r.meets_norm[followers].any()  # ... its followers keep the first outcome
        built = followers[~np.isnan(r.ended[followers, domain.S_UITVOERING])]
        took = (r.ended - r.started)[built, domain.S_UITVOERING]
        np.testing.assert_allclose(took, 90.0)  # not batch 1581's lighter 45
        checked += len(followers)
        late += int((r.started[followers, domain.S_BEOORDELING] >= r.ended[ref, domain.S_BEOORDELING]).sum())
    assert checked > 5 and late > 0, (checked, late)  # some were judged after the reassessment


def test_the_measures_rules_by_route_and_day(small):
    """Which norm judges and which factors follow, as both the simulation and the flow model read them."""
    from versterking.engine.measure_rules import measure_rules, tranche_mix

    sc = load_scenario(variant(small, "alle", ALL_MEASURES)).scenario
    rules, m = measure_rules(sc), sc.measures
    before, after = days_since(sc.start, date(2020, 12, 31)), days_since(sc.start, date(2021, 1, 1))
    assert rules.norm(domain.KLASSIEK, before) == sc.shares.meets_norm
    npr = m.get("npr_2020").meets_norm
    assert rules.norm(domain.KLASSIEK, after) == rules.norm(domain.REFERENTIEWONING, after) == npr
    for route, measure in ((domain.TYPOLOGIE, "typologie"), (domain.PRAKTIJKAANPAK, "praktijkaanpak"),
                           (domain.HERBEOORDELING, "batch_1581")):
        assert rules.norm(route, before) == rules.norm(route, after) == m.get(measure).meets_norm
    assert rules.factors(domain.KLASSIEK, before) == (1.0, 1.0)
    assert rules.factors(domain.KLASSIEK, after) == (0.8, 1.0)
    assert rules.factors(domain.TYPOLOGIE, after) == (0.8 * m.get("typologie").uitvoering_factor,
                                                      m.get("typologie").planvorming_factor)
    assert rules.factors(domain.HERBEOORDELING, after) == (0.5, 1.0)
    assert not rules.typologie_in_use(before) and rules.typologie_in_use(after)
    assert rules.pilot_open(0.0) and not rules.scaled_up(after)
    assert list(tranche_mix(m.get("batch_1581").tranche)) == [0, 3, 3]
    assert tranche_mix(m.get("bouwimpuls").tranches[0]) is None
    # off: no route opens, ever, and the scenario's own norm judges
    bare = measure_rules(load_scenario(small).scenario)
    assert not any(f(1e6) for f in (bare.typologie_in_use, bare.pilot_open, bare.scaled_up,
                                    bare.referentiewoningen_in_use, bare.npr_in_force))
    assert bare.norm(domain.KLASSIEK, 1e6) == bare.meets_norm


def test_the_simulation_and_the_flow_model_judge_by_one_rule(small, monkeypatch):
    """A rule changed in one place changes both: every beoordeling meets the norm, so nobody judged
    during the run goes on to planvorming, in either."""
    from versterking import load_population
    from versterking.engine.flow import flow
    from versterking.engine.measure_rules import MeasureRules
    from versterking.inputs.blocks import ProfileShares

    loaded = load_scenario(variant(small, "alle", ALL_MEASURES))
    population = load_population(loaded)
    everyone = ProfileShares(P50=1.0, P90=1.0, grijs=1.0)

    def judged_in_the_run() -> tuple[int, float]:
        simulated = run(loaded.path).reached[:, domain.BEOORDELING]
        flowed = flow(loaded.scenario, population).reached[:, domain.BEOORDELING]
        return int((simulated > 0).sum()), float(flowed[-1].sum() - flowed[0].sum())

    assert min(judged_in_the_run()) > 1
    monkeypatch.setattr(MeasureRules, "norm", lambda self, route, now: everyone)
    assert judged_in_the_run() == (0, pytest.approx(0.0))
