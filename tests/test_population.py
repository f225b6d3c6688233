from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from invariants import cumulative_counts

from versterking.domain import ADDRESS_COLUMNS as COLUMNS
from versterking.domain import CUMULATIVE
from versterking.errors import InputError
from versterking.inputs.address_file import read_addresses
from versterking.inputs.embedded import embedded_werkvoorraad

DATA = Path(__file__).resolve().parents[1] / "calibration" / "data"


def published(name: str) -> dict[str, list[int]]:
    """A cumulative table (tabel 2.1 or 2.5) from calibration/data, per risk profile."""
    t = pd.read_csv(DATA / name).pivot(index="risk_profile", columns="milestone", values="addresses")
    return {p: t.loc[p, list(CUMULATIVE)].tolist() for p in t.index}


TABEL_2_1 = published("tabel_2_1.csv")
TABEL_2_5 = published("tabel_2_5.csv")


@pytest.fixture(scope="module")
def werkvoorraad() -> pd.DataFrame:
    return embedded_werkvoorraad()


def test_embedded_werkvoorraad_reproduces_tabel_2_1_exactly(werkvoorraad):
    got = cumulative_counts(werkvoorraad)
    for profile, row in TABEL_2_1.items():
        assert got.loc[profile].tolist() == row, profile


def test_embedded_corporatie_split_reproduces_tabel_2_5(werkvoorraad):
    got = cumulative_counts(werkvoorraad[werkvoorraad["owner_type"] == "corporatie"])
    for profile, row in TABEL_2_5.items():
        assert got.loc[profile].tolist() == row, profile


def test_embedded_planvorming_and_uitvoering_stock_follow_par_3_8(werkvoorraad):
    plan = werkvoorraad[werkvoorraad["milestone"] == "planvorming"]
    assert plan["planvorming_substep"].value_counts().to_dict() == {
        "uitvoeringsplan opstellen": 3797, "versterkingsbesluit": 263}
    assert (werkvoorraad["milestone"] == "uitvoering").sum() == 5561 - 1177 - 3797 - 263


def test_embedded_werkvoorraad_is_deterministic_and_well_formed(werkvoorraad):
    again = embedded_werkvoorraad()
    pd.testing.assert_frame_equal(werkvoorraad, again)
    assert list(werkvoorraad.columns) == list(COLUMNS)
    assert werkvoorraad["address_id"].is_unique
    assert (werkvoorraad["milestone_date"] <= np.datetime64("2020-07-17")).all()
    assert (werkvoorraad.groupby("gemeente").size()["Groningen"]) == 4943  # seed 001
    # a building never spans two gemeenten, risk profiles or milestones
    per_building = werkvoorraad.groupby("building_id")[["gemeente", "risk_profile", "milestone"]].nunique()
    assert (per_building == 1).all().all()
    sizes = werkvoorraad.groupby("cluster_id").size()
    assert sizes.max() <= 150 + 24 and werkvoorraad.groupby("cluster_id")["gemeente"].nunique().max() == 1


def test_time_in_milestone_is_consistent_with_tabel_2_4(werkvoorraad):
    """Addresses waiting for beoordeling were inspected about a year or more ago (tabel 2.4: 409-580
    days from opname to beoordeling gereed); adviezen waiting for planvorming are younger than the
    575-day mean wait of those that already started planvorming."""
    dates = werkvoorraad["milestone_date"].to_numpy().astype("datetime64[D]")
    age = (np.datetime64("2020-07-17") - dates).astype(int)
    waiting_beoordeling = age[werkvoorraad["milestone"] == "opname"].mean()
    waiting_planvorming = age[werkvoorraad["milestone"] == "beoordeling"].mean()
    assert 300 < waiting_beoordeling < 800
    assert 100 < waiting_planvorming < 575


def _write(tmp_path, df):
    path = tmp_path / "a.csv"
    df.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("risk_profile", "P70", "row 3, column risk_profile: unknown (got 'P70'); allowed: P50, P90, grijs"),
        ("owner_type", "huurder", "row 3, column owner_type: unknown"),
        ("milestone", "klaar", "row 3, column milestone: unknown"),
        ("milestone_date", "17-07-2020", "row 3, column milestone_date: not a date YYYY-MM-DD"),
        ("milestone_date", "2021-01-01", "row 3, column milestone_date: after the scenario start"),
        ("address_id", "T0000", "row 3, column address_id: duplicate address_id"),
        ("gemeente", "", "row 3, column gemeente: empty"),
    ],
)
def test_bad_address_rows_are_named_by_row_and_column(tmp_path, column, value, message):
    from conftest import address_table

    df = address_table(10)
    df.loc[2, column] = value
    with pytest.raises(InputError) as err:
        read_addresses(_write(tmp_path, df), pd.Timestamp("2020-07-17").date())
    assert message in str(err.value)
    assert str(tmp_path / "a.csv") in str(err.value)
    assert "\n" not in str(err.value)


def test_address_file_missing_column_and_empty(tmp_path):
    from conftest import address_table

    with pytest.raises(InputError, match="missing column"):
        read_addresses(_write(tmp_path, address_table(5).drop(columns="gemeente")),
                       pd.Timestamp("2020-07-17").date())
    with pytest.raises(InputError, match="no addresses"):
        read_addresses(_write(tmp_path, address_table(5).iloc[:0]), pd.Timestamp("2020-07-17").date())


def test_address_file_parquet_round_trip(tmp_path):
    from conftest import address_table

    df = address_table(20)
    df.to_parquet(tmp_path / "a.parquet", index=False)
    got = read_addresses(tmp_path / "a.parquet", pd.Timestamp("2020-07-17").date())
    assert got["address_id"].tolist() == df["address_id"].tolist()
