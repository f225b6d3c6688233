import pytest
from click.testing import CliRunner
from conftest import variant

from versterking import load_scenario
from versterking.cli import main
from versterking.errors import InputError


def test_extends_merges_tables_and_replaces_lists(small):
    path = variant(small, "meer", "[resources.bouwcapaciteit]\ncapacity = 9\n")
    sc = load_scenario(path).scenario
    assert sc.name == "meer"
    assert sc.resources.bouwcapaciteit.capacity == 9
    assert sc.resources.opnamecapaciteit.capacity == 3  # inherited
    assert set(load_scenario(path).files) == {"meer.toml", "base.toml"}


def test_a_list_element_is_changed_by_its_position_in_a_file_and_an_override(tmp_path):
    """`capacity.1.value = 400` changes that step and keeps the rest of the list (and its ranges), as
    the web app's saved scenarios and `sweep --vary` write a range inside a capacity list."""
    path = tmp_path / "meer.toml"
    key = "resources.wisselwoningen.capacity"
    path.write_text(f'extends = "verwachting"\nname = "meer"\n{key}.1.value = 400\n')
    parent = load_scenario("verwachting").scenario.resources.wisselwoningen.capacity
    changed = load_scenario(path).scenario
    steps = changed.resources.wisselwoningen.capacity
    assert steps[1].value == 400 and steps[1].from_ == parent[1].from_ and steps[0] == parent[0]
    assert f"{key}.0.value" in {p.key for p in changed.uncertain}  # the first step's range stays
    vary = load_scenario("verwachting", {f"{key}.0.value": 150}).scenario.resources.wisselwoningen.capacity
    assert vary[0].value == 150 and vary[1:] == parent[1:]
    path.write_text('extends = "verwachting"\nresources.wisselwoningen.capacity.5.value = 400\n')
    with pytest.raises(InputError, match=r"meer.toml: resources.wisselwoningen.capacity.5: no such position; "
                                         r"the list has 2 \(0 to 1\)"):
        load_scenario(path)


def test_population_file_resolves_relative_to_the_file_that_names_it(small):
    sub = small.parent / "sub"
    sub.mkdir()
    small.rename(sub / "base.toml")
    path = small.parent / "v.toml"
    path.write_text('extends = "sub/base.toml"\nname = "v"\n', encoding="utf-8")
    (small.parent / "adressen.csv").rename(sub / "adressen.csv")
    loaded = load_scenario(path)
    assert loaded.population_file == sub / "adressen.csv"
    assert set(loaded.files) == {"v.toml", "sub/base.toml"}  # relative: the manifest travels


def test_content_hash_changes_with_content(small):
    a = load_scenario(small).content_hash
    b = load_scenario(variant(small, "x", "seed = 8\n")).content_hash
    assert a != b and a == load_scenario(small).content_hash


BAD = [
    ("unknown key", "[resources.bouwcapaciteit]\ncapacity = 4\nsnelheid = 3\n",
     "x.toml: resources.bouwcapaciteit.snelheid: unknown key; allowed: capacity, unit, factor, extra, "
     "growth, split, note"),
    ("wrong type", 'seed = "zeven"\n', "x.toml: seed: Input should be a valid integer"),
    ("negative capacity", "[resources.opnamecapaciteit]\ncapacity = -5\n",
     "x.toml: resources.opnamecapaciteit.capacity"),
    ("share above one", "[shares]\nmeets_norm = { P50 = 1.5, P90 = 0.1, grijs = 0.1 }\n",
     "x.toml: shares.meets_norm.P50: Input should be less than or equal to 1 (got 1.5)"),
    ("unparseable date", 'start = "17 juli 2020"\n', "x.toml: start: Input should be a valid date"),
    ("unknown distribution", '[durations]\nopname = { dist = "weibull", mean = 3 }\n',
     "x.toml: durations.opname: Input tag 'weibull' found using 'dist' does not match"),
    ("nan duration", '[durations]\nopname = { dist = "fixed", value = nan }\n',
     "x.toml: durations.opname.value: Input should be a finite number"),
    ("horizon too far", "horizon = 9999-12-31\n",
     "x.toml: horizon: Input should be less than or equal to 2199-12-31 (got 9999-12-31)"),
    ("horizon before start", "horizon = 2020-01-01\n",
     "x.toml: horizon: must be after start (2020-07-17) (got 2020-01-01)"),
    ("schedule out of order",
     "[resources.planvorming]\ncapacity = [{ from = 2026-01-01, value = 3 },\n"
     "  { from = 2025-01-01, value = 4 }]\n",
     "x.toml: resources.planvorming: capacity changes must be in date order and must not overlap (2025-01-01 "
     "comes after 2026-01-01)"),
    ("unknown key", "bogus = 1\n", "x.toml: bogus: unknown key; allowed: name, description, seed,"),
    ("ramp backwards",
     "[resources.planvorming]\ncapacity = [{ from = 2021-01-01, to = 2020-12-01, value = 3 }]\n",
     "resources.planvorming.capacity.0: a ramp's 'to' must be after its 'from'"),
    ("unknown service order", 'service_order = "lifo"\n',
     "x.toml: service_order: Input should be 'risk_first' or 'fifo'"),
    ("claim of an unknown milestone",
     '[[claims]]\nlabel = "x"\nmilestone = "alles"\nby = 2030-01-01\nsource = "y"\n',
     "x.toml: claims.0.milestone: Input should be '100%', '95%', 'deelnemers', 'P50', 'P90' or 'grijs'"),
]


@pytest.mark.parametrize(("case", "text", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_scenario_gives_one_line_naming_file_and_key(small, case, text, message):
    path = variant(small, "x", text)
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert message in str(err.value)
    assert "\n" not in str(err.value)
    # no Python in the message, and "at their low end" only where a range's end is what breaks
    leaks = ("datetime.", "{'", "uncertain numbers", "uncertain,")
    assert not any(leak in str(err.value) for leak in leaks)


def test_error_names_the_file_that_set_the_key(small):
    text = (small.parent / "base.toml").read_text().replace("capacity = 3", "capacity = -3")
    (small.parent / "base.toml").write_text(text)
    with pytest.raises(InputError, match=r"base\.toml: resources\.opnamecapaciteit\.capacity"):
        load_scenario(variant(small, "child", "seed = 1\n"))


def test_missing_and_circular_extends(small):
    with pytest.raises(InputError, match=r"extends: file not found: .*nergens\.toml"):
        load_scenario(variant(small, "x", "").parent.joinpath("x.toml").write_text(
            'extends = "nergens.toml"\n') and small.parent / "x.toml")
    a, b = small.parent / "a.toml", small.parent / "b.toml"
    a.write_text('extends = "b.toml"\n')
    b.write_text('extends = "a.toml"\n')
    with pytest.raises(InputError, match=r"circular extends \(a\.toml -> b\.toml -> a\.toml\)"):
        load_scenario(a)


def test_not_toml_not_utf8_and_missing_file(tmp_path):
    (tmp_path / "bin.toml").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match="not UTF-8"):
        load_scenario(tmp_path / "bin.toml")
    (tmp_path / "bad.toml").write_text("name = [\n")
    with pytest.raises(InputError, match="invalid TOML"):
        load_scenario(tmp_path / "bad.toml")
    (tmp_path / "dup.toml").write_text("name = 'a'\nname = 'b'\n")
    with pytest.raises(InputError, match="invalid TOML"):
        load_scenario(tmp_path / "dup.toml")
    with pytest.raises(InputError, match="scenario: file not found"):
        load_scenario(tmp_path / "geen.toml")


@pytest.mark.parametrize(("case", "text", "message"), BAD[:5], ids=[b[0] for b in BAD[:5]])
def test_cli_bad_input_exits_2_with_one_line_and_no_results(small, case, text, message):
    path = variant(small, "x", text)
    out = small.parent / "results"
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and message in result.output
    assert not out.exists()


def test_cli_bad_address_file_exits_2_and_writes_nothing(small):
    csv = small.parent / "adressen.csv"
    csv.write_text(csv.read_text().replace(",P90,", ",P99,", 1))
    out = small.parent / "results"
    result = CliRunner().invoke(main, ["run", str(small), "--out", str(out)])
    assert result.exit_code == 2
    assert "adressen.csv: row" in result.output and "column risk_profile" in result.output
    assert not out.exists()
