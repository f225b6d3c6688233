"""One atomic writer for everything the tool writes: whole or absent, never over an existing result
without force, and nothing left behind by a failure."""

from __future__ import annotations

import pytest

from versterking.errors import InputError
from versterking.writing import atomic_file, atomic_folder


def test_a_file_is_whole_or_absent(tmp_path):
    path = tmp_path / "uit" / "antwoord.toml"
    with atomic_file(path, force=False) as tmp:
        tmp.write_text("eerste\n")
        assert not path.exists()  # nothing in place until the end
    assert path.read_text() == "eerste\n"
    with pytest.raises(InputError, match="exists; choose another name or pass --force"), \
            atomic_file(path, force=False):
        pass
    with pytest.raises(RuntimeError), atomic_file(path, force=True) as tmp:
        tmp.write_text("half")
        raise RuntimeError("schijf vol")
    assert path.read_text() == "eerste\n"  # the old file stays
    assert sorted(p.name for p in path.parent.iterdir()) == ["antwoord.toml"]  # no temporary left
    with atomic_file(path, force=True) as tmp:
        tmp.write_text("tweede\n")
    assert path.read_text() == "tweede\n"


def test_a_folder_is_replaced_whole_and_kept_on_failure(tmp_path):
    out = tmp_path / "rapport"
    with atomic_folder(out, force=False, what="calibration report") as tmp:
        (tmp / "README.md").write_text("oud\n")
    with pytest.raises(RuntimeError), atomic_folder(out, force=True) as tmp:
        (tmp / "README.md").write_text("nieuw, half\n")
        raise RuntimeError("afgebroken")
    assert (out / "README.md").read_text() == "oud\n"  # the previous report is not deleted first
    with atomic_folder(out, force=True) as tmp:
        (tmp / "README.md").write_text("nieuw\n")
    assert [p.name for p in out.iterdir()] == ["README.md"] and (out / "README.md").read_text() == "nieuw\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rapport"]


def test_a_file_in_the_way_is_named(tmp_path):
    (tmp_path / "bestand").write_text("x")
    with pytest.raises(InputError, match="is a file, so no workbook can be made below it"), \
            atomic_file(tmp_path / "bestand" / "w.xlsx", force=False, what="workbook"):
        pass
