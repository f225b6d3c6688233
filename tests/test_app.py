"""The web app's pieces without a browser: the numbers with their sources, the edits as overrides with
the loader's own errors, saving a scenario (never over another), and results kept by what decides them.
The pages in a real browser: tests/test_app_browser.py."""

from __future__ import annotations

import zipfile
from datetime import date, timedelta

import pytest

from versterking import limits, load_scenario
from versterking.app import edits, fields
from versterking.app.charts import bottlenecks, dashboard, fan, wisselwoningen
from versterking.app.pages.compare import dates
from versterking.app.pages.run import end_dates, milestones
from versterking.app.server import make_app
from versterking.app.workspace import (
    Workspace,
    archive,
    cached,
    choices,
    forecast,
    report,
    results_folder,
    save,
    workbook,
)
from versterking.errors import InputError
from versterking.inputs.notes import parameters
from versterking.inputs.package_data import library_path
from versterking.runs.comparison import compare


def test_every_number_of_basis_is_shown_with_its_source_or_assumption():
    table = parameters(load_scenario("basis"))
    assert {"bestand", "sleutel", "waarde", "bereik", "bron"} == set(table.columns)
    words = table["sleutel"].isin(["extends", "name", "description"]) | table["sleutel"].str.endswith(".name")
    numbers = table[table["waarde"].str.contains(r"\d") & ~words]
    assert len(numbers) > 30 and (numbers["bron"] != "").all()
    skip = table[table["sleutel"] == "shares.skip_beoordeling.grijs"].iloc[0]
    assert skip["waarde"] == "geen_beoordeling_grijs: 0.16 - 0.32 - 0.32" and "ASSUMPTION" in skip["bron"]
    assert skip["bereik"] == ("geen_beoordeling_grijs op shares.skip_beoordeling.grijs: 0.16 - 0.32 - 0.32 "
                              "(triangular)")
    # no TOML on the page: a range inside a capacity list in words, with the key it sits on
    shown = parameters(load_scenario("verwachting")).drop_duplicates("sleutel")  # the first: in force
    in_force = shown.set_index("sleutel")["waarde"]
    assert in_force["resources.wisselwoningen.capacity"] == (
        "vanaf 2020-07-17: wisselwoningen: 120 - 200 - 350; "
        "vanaf 2022-01-01: wisselwoningen: 270 - 350 - 700")
    assert not table["waarde"].str.contains("uncertain =|{ ", regex=True).any()
    assert in_force["seed"] == "20200717"
    # a key gets the comments that go with it, not its neighbours' or the file's opening comment
    bron = table.set_index(["bestand", "sleutel"])["bron"]
    assert bron["basis.toml", "seed"] == "any fixed number; reviewers reproduce a run with the same seed"
    assert bron["basis.toml", "name"] == ""
    assert bron["basis.toml", "service_order"].startswith("Opname and beoordeling serve LPA2019")
    assert bron["basis.toml", "measures.npr_2020.from"].startswith("The NPR with the new insights")
    assert bron["basis.toml", "measures.npr_2020.meets_norm.P90"].startswith("ASSUMPTION: not published.")
    assert bron["basis.toml", "target.max_growth"].startswith("How fast each can grow.")
    # the scenario's own file first, then what it extends
    assert table["bestand"].iloc[0] == "basis.toml" and "gekalibreerd.toml" in set(table["bestand"])


def test_edits_become_overrides_checked_by_the_loader():
    item = load_scenario("basis")
    ids = {f.id for f in edits.fields(item)}
    assert "resources.bouwcapaciteit.factor" in ids and "shares.skip_beoordeling.grijs|mode" in ids
    assert edits.overrides(item, {}) == {}
    changes = edits.overrides(item, {"resources.bouwcapaciteit.factor": 2,
                                     "shares.skip_beoordeling.grijs|low": "0.2"})
    assert changes["resources.bouwcapaciteit.factor"] == 2
    assert changes["shares.skip_beoordeling.grijs"] == {
        "uncertain": "triangular", "name": "geen_beoordeling_grijs", "low": 0.2, "mode": 0.32, "high": 0.32}
    assert edits.check("basis", changes) is None
    bad = edits.check("basis", {"resources.bouwcapaciteit.factor": -1})
    assert "resources.bouwcapaciteit.factor" in bad and "moet minstens 0 zijn (ingevuld: -1)" in bad
    assert bad.startswith("aanpassing: ")  # a change made in the app's form is named as such
    crossed = edits.check("basis", edits.overrides(item, {"shares.skip_beoordeling.grijs|low": "0.5"}))
    assert "laag <= modus <= hoog is nodig" in crossed
    pakket = load_scenario("versnellingspakket")
    no_date = edits.problems(pakket, {"measures.typologie.from": "2020-13-01"})
    assert no_date == {"measures.typologie.from": "typologie: vanaf (JJJJ-MM-DD): '2020-13-01' is geen datum "
                                                  "(JJJJ-MM-DD)"}
    assert edits.overrides(pakket, {"measures.typologie.from": "2020-13-01"}) == {}  # never half a change
    early = {"measures.typologie.from": "1999-01-01"}
    late = edits.check("versnellingspakket", edits.overrides(pakket, early))
    assert late is not None and "measures.typologie.from" in late


def test_a_saved_scenario_extends_its_parent_and_never_replaces_a_file(tmp_path):
    ws = Workspace(tmp_path)
    path = save(ws, "basis", "meer-bouwers", {"resources.bouwcapaciteit.factor": 2.5,
                                              "measures.npr_2020.from": date(2021, 1, 1)})
    text = path.read_text()
    assert 'extends = "basis"' in text and "ASSUMPTION" in text
    sc = load_scenario(path).scenario
    assert sc.name == "meer-bouwers" and sc.resources.bouwcapaciteit.factor == 2.5
    # every changed number says whose it is, where the scenario page shows its source
    shown = parameters(load_scenario(path)).set_index(["bestand", "sleutel"])["bron"]["meer-bouwers.toml"]
    assert all(shown[key].startswith("ASSUMPTION: the user's what-if")
               for key in ("resources.bouwcapaciteit.factor", "measures.npr_2020.from"))
    assert {"label": "meer-bouwers (eigen)", "value": str(path)} in choices(ws)
    with pytest.raises(InputError, match="exists already"):
        save(ws, "basis", "meer-bouwers", {"resources.bouwcapaciteit.factor": 3})
    with pytest.raises(InputError, match="exists already"):  # a library name is taken too
        save(ws, "basis", "verwachting", {"resources.bouwcapaciteit.factor": 3})
    with pytest.raises(InputError, match="naam"):
        save(ws, "basis", "Met Spaties", {"resources.bouwcapaciteit.factor": 3})
    with pytest.raises(InputError, match="greater than or equal to 0"):
        save(ws, "basis", "fout", {"resources.bouwcapaciteit.factor": -3})
    assert sorted(p.name for p in ws.scenarios.iterdir()) == ["meer-bouwers.toml"]
    # a scenario saved from a saved one extends it by its file
    child = save(ws, str(path), "nog-meer", {"resources.planvorming.factor": 2})
    assert 'extends = "meer-bouwers.toml"' in child.read_text()
    assert load_scenario(child).scenario.resources.bouwcapaciteit.factor == 2.5


def test_results_are_kept_by_what_decides_them(small, tmp_path):
    ws = Workspace(tmp_path, workers=1)
    item = load_scenario(small)
    folder = results_folder(ws, item, 3, None)
    assert folder == results_folder(Workspace(tmp_path, workers=2), item, 3, None)  # not the workers
    others = {results_folder(ws, item, 4, None), results_folder(ws, item, 3, 11),
              results_folder(ws, load_scenario(small, {"resources.planvorming.factor": 2}), 3, None)}
    assert folder not in others and len(others) == 3
    assert cached(ws, str(small), None, 3, None) is None
    ticks = []
    assert forecast(ws, str(small), None, 3, None, ticks.append) == folder
    assert sum(ticks) == 3 and cached(ws, str(small), None, 3, None) == folder
    written = (folder / "manifest.json").stat().st_mtime_ns
    assert forecast(ws, str(small), None, 3, None, ticks.append) == folder  # kept: not run again
    assert sum(ticks) == 3 and (folder / "manifest.json").stat().st_mtime_ns == written

    # what the results page shows, from that folder
    ends = end_dates(folder)
    assert list(ends.columns[:5]) == ["niveau", "groep", "100% voltooid P10", "100% voltooid P50",
                                      "100% voltooid P90"]
    assert set(ends["niveau"]) >= {"totaal", "risicoprofiel"}
    quarters = milestones(folder)
    assert quarters["kwartaal"].iloc[0] == "start"
    assert (quarters["voltooid"] == quarters["versterkt"] + quarters["voldoet aan de norm"]).all()
    for figure in (dashboard(folder), fan([("klein", folder)]), bottlenecks(folder), wisselwoningen(folder)):
        assert figure.data and all(len(trace.x) for trace in figure.data)

    # the downloads: the report, the workbook, the folder as a zip
    page = report(folder)
    assert page.name == "rapport.html" and "<html" in page.read_text(encoding="utf-8")[:500].lower()
    assert workbook(folder).read_bytes()[:2] == b"PK"
    with zipfile.ZipFile(archive(folder)) as z:
        assert f"{folder.name}/manifest.json" in z.namelist()


@pytest.mark.slow
def test_runs_sent_to_a_dask_cluster_give_the_local_results(small, tmp_path):
    """`versterking app --scheduler`: the app's runs go to the cluster, with the bar, and the results
    are the local ones, file for file."""
    from distributed import Client, LocalCluster

    local = forecast(Workspace(tmp_path / "lokaal", workers=1), str(small), None, 3, None)
    ticks = []
    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
                      processes=True) as cluster:
        ws = Workspace(tmp_path / "cluster", scheduler=cluster.scheduler_address)
        remote = forecast(ws, str(small), None, 3, None, ticks.append)
        with Client(cluster) as client:  # the replications ran there
            ran = client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.task_prefixes))
    assert "run_replication" in ran
    assert sum(ticks) == 3 and remote.name == local.name
    for path in sorted(local.glob("*.csv")):
        assert (remote / path.name).read_bytes() == path.read_bytes(), path.name


def test_the_comparison_table_gives_dates_and_years(small, tmp_path):
    other = tmp_path / "sneller.toml"
    text = small.read_text().replace('name = "klein"', 'name = "sneller"')
    other.write_text(text.replace("capacity = 5", "capacity = 9", 1))
    c = compare([str(small), str(other)], 2, workers=1)
    t = dates(c)
    assert list(t["scenario"].unique()) == ["klein", "sneller"]
    first = t[t["scenario"] == "klein"]
    assert (first["verschil met de eerste (jaar)"].isin(["+0.0", ""])).all()
    assert t["P50"].str.match(r"\d{2}-\d{2}-\d{4}").any()


def test_the_app_builds_with_every_page(tmp_path):
    app = make_app(Workspace(tmp_path))
    html = str(app.layout)
    for tab in ("tab-scenario", "tab-run", "tab-compare", "tab-whatif", "tab-target", "tab-address"):
        assert tab in html
    assert (tmp_path / ".taken").is_dir()  # the background runs' store, inside the app's folder


def _one_of_each_kind(item) -> dict:
    """A valid change to one field of each kind the form has: a factor, a date, a range's mode (one
    inside a capacity list where the scenario has one)."""
    by_kind: dict = {}
    ranges = {p.key: p for p in item.scenario.uncertain}
    for f in edits.fields(item):
        if f.kind == "date":
            by_kind.setdefault("date", {f.id: (date.fromisoformat(f.value) + timedelta(days=1)).isoformat()})
        elif not f.part:
            by_kind.setdefault("factor", {f.id: f.value + 0.1})
        elif f.part == "mode" and ranges[f.key].spec.low < ranges[f.key].spec.high:
            spec = ranges[f.key].spec
            middle = (spec.low + spec.high) / 2
            new = round(middle) if ranges[f.key].whole else middle
            if new != spec.mode and (".capacity." in f.key or "range" not in by_kind):
                by_kind["range"] = {f.id: new}
    return {k: v for change in by_kind.values() for k, v in change.items()}


@pytest.mark.parametrize("name", sorted(p.stem for p in library_path("basis").parent.glob("*.toml")))
def test_every_library_scenario_opens_edits_and_saves(name, tmp_path):
    """As the browser sends them: every field as it came (numbers as floats: 46.0 for 46) is no change;
    one field of each kind changed saves a scenario that holds those changes and nothing else."""
    ws = Workspace(tmp_path)
    item = load_scenario(name)
    shown = {f.id: float(f.value) if f.kind == "number" else f.value for f in edits.fields(item)}
    assert edits.overrides(item, shown) == {} and edits.problems(item, shown) == {}
    assert len({f.label for f in edits.fields(item)}) == len(edits.fields(item))  # labels told apart
    changed = _one_of_each_kind(item)
    assert changed, name
    changes = edits.overrides(item, shown | changed)
    assert len(changes) == len(changed) and edits.check(name, changes) is None, changes
    path = save(ws, name, f"{name}-aangepast", changes)
    again = load_scenario(path)
    assert again.scenario.description.count("(aangepast in de app)") == 1
    before = item.scenario.model_dump(mode="json", by_alias=True)
    after = again.scenario.model_dump(mode="json", by_alias=True)
    differ = {k for k in before if before[k] != after[k]}
    allowed = {"name", "description", "resources", "measures", "shares", "durations", "uncertain"}
    assert differ <= allowed, differ
    after_fields = {f.id: f.value for f in edits.fields(again)}
    for field_id, value in changed.items():
        assert after_fields[field_id] == pytest.approx(value) if not isinstance(value, str) else \
            after_fields[field_id] == value, field_id
    untouched = {i: v for i, v in shown.items() if i not in changed}
    assert edits.overrides(again, untouched | {i: after_fields[i] for i in changed}) == {}
    resaved = save(ws, str(path), f"{name}-nog-eens", edits.overrides(again, {next(iter(changed)): _nudge(
        after_fields[next(iter(changed))])}))
    assert load_scenario(resaved).scenario.description.count("(aangepast in de app)") == 1


def _nudge(value):
    if isinstance(value, str):
        return (date.fromisoformat(value) + timedelta(days=1)).isoformat()
    return value * 1.01


@pytest.mark.parametrize(("read", "text", "message"), [
    (lambda t: fields.whole(t, "replicaties", limits.RUN_REPLICATIONS), "0",
     "replicaties: 0 ligt buiten het toegestane; toegestaan: een geheel getal van 1 tot en met 100.000"),
    (lambda t: fields.whole(t, "replicaties", limits.RUN_REPLICATIONS), "-1", "replicaties: -1 ligt buiten"),
    (lambda t: fields.whole(t, "replicaties", limits.RUN_REPLICATIONS), "1000000000",
     "replicaties: 1.000.000.000 ligt buiten"),
    (lambda t: fields.whole(t, "replicaties", limits.RUN_REPLICATIONS), "2.5",
     "replicaties: '2.5' is geen geheel getal"),
    (lambda t: fields.whole(t, "replicaties", limits.RUN_REPLICATIONS), "", "replicaties: leeg"),
    (lambda t: fields.optional_whole(t, "root seed", limits.SEED), "-5", "root seed: -5 ligt buiten"),
    (lambda t: fields.share(t, "deel", limits.CONFIDENCE), "5", "deel: 5 ligt buiten het toegestane"),
    (lambda t: fields.share(t, "deel", limits.CONFIDENCE), "0", "deel: 0 ligt buiten het toegestane"),
    (lambda t: fields.share(t, "deel", limits.CONFIDENCE), "veel", "deel: 'veel' is geen getal"),
    (lambda t: fields.day(t, "vanaf", date(2020, 7, 17), date(2060, 12, 31)), "1900-01-01",
     "vanaf: 1900-01-01 ligt buiten het toegestane; toegestaan: een datum JJJJ-MM-DD van 2020-07-17"),
    (lambda t: fields.day(t, "vanaf", date(2020, 7, 17), date(2060, 12, 31)), "1 jan",
     "vanaf: '1 jan' is geen"),
])
def test_the_apps_fields_refuse_what_the_command_line_refuses(read, text, message):
    with pytest.raises(InputError) as err:
        read(text)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_the_apps_fields_read_what_the_command_line_reads():
    assert fields.whole("20", "r", limits.RUN_REPLICATIONS) == 20 and fields.whole(20.0, "r", (1, 50)) == 20
    assert fields.optional_whole("", "seed", limits.SEED) is None
    assert fields.share("0,9", "deel", limits.CONFIDENCE) == 0.9
    assert fields.share("1", "deel", limits.CONFIDENCE) == 1
    assert fields.day(" 2030-12-31 ", "d", date(2020, 1, 1), date(2031, 1, 1)) == date(2030, 12, 31)


def test_a_what_if_names_each_bad_field_and_runs_nothing():
    from versterking.app.pages.whatif import overrides as what_if

    froms = ["2021-01-01", "2021-01-01", "2021-01-01", "1900-01-01", "2021-01-01"]
    changes, errors = what_if("basis", ["0", "-5", "0", "300", "10"], froms)
    assert errors[0] == "" and errors[1].startswith("ingenieursbureaus: plekken extra: -5 ligt buiten")
    assert errors[3].startswith("bouwcapaciteit: vanaf: 1900-01-01 ligt buiten het toegestane")
    assert "pydantic" not in " ".join(errors) and list(changes) == ["resources.wisselwoningen.extra"]
