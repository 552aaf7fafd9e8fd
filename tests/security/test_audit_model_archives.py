"""A ``.skops`` model file is a zip archive: what it unpacks to is bounded before skops reads it.

skops reads each member of the archive whole (``schema.json`` first, to list the types it does
not trust): a 300 KB file holding a 300 MB ``schema.json`` of one repeated letter took
``explainspec audit`` 9 s and 0.8 GiB before it was refused as not a skops file, so a model file
of a few MB (the zip format packs a repeated byte about 1000 to 1) could exhaust the machine. And
the sizes an archive states are not a bound by themselves: Python's zipfile unpacks a member
whole before cutting it to its stated size. Now an archive with more than 100 000 members, one
that states more than 1 GiB unpacked, or one whose members unpack to more than they state, is
refused (``ES360``) before skops reads anything; the members are unpacked a MiB at a time.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from explainspec.worlds.sources import models
from explainspec.worlds.sources.errors import SourceError

sio = pytest.importorskip("skops.io")


@pytest.fixture
def unread(monkeypatch: pytest.MonkeyPatch) -> None:
    """skops may not read the archive (the refusal comes first); the limits are small."""
    monkeypatch.setattr(sio, "get_untrusted_types", lambda **k: pytest.fail("skops read it"))
    monkeypatch.setattr(models, "MAX_MODEL_BYTES", 1 << 20, raising=False)
    monkeypatch.setattr(models, "MAX_MODEL_MEMBERS", 10, raising=False)


def archive(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def test_an_archive_that_unpacks_to_more_than_the_limit_is_refused(tmp_path, unread) -> None:
    path = archive(tmp_path / "bomb.skops", {"schema.json": b"a" * (2 << 20)})
    assert path.stat().st_size < 10_000  # 2 MiB packed into a few KB
    with pytest.raises(SourceError, match="ES360 the archive unpacks to 2097152 bytes"):
        models.load_model_file(path)


def test_an_archive_that_misstates_its_sizes_is_refused(tmp_path, unread) -> None:
    path = archive(tmp_path / "liar.skops", {"schema.json": b"a" * (2 << 20)})
    data = bytearray(path.read_bytes())  # both headers say 1000 bytes
    struct.pack_into("<I", data, data.rfind(b"PK\x01\x02") + 24, 1000)
    struct.pack_into("<I", data, data.find(b"PK\x03\x04") + 22, 1000)
    path.write_bytes(bytes(data))
    with pytest.raises(SourceError, match="ES360 the archive is damaged or misstates its sizes"):
        models.load_model_file(path)


def test_an_archive_of_too_many_members_is_refused(tmp_path, unread) -> None:
    path = archive(tmp_path / "many.skops", {f"m{i}.npy": b"" for i in range(11)})
    with pytest.raises(SourceError, match="ES360 the archive has 11 members; the limit is 10"):
        models.load_model_file(path)


def test_a_model_within_the_limits_loads(tmp_path) -> None:
    linear = pytest.importorskip("sklearn.linear_model")
    np = pytest.importorskip("numpy")
    sio.dump(linear.LinearRegression().fit(np.eye(3), [1.0, 2.0, 3.0]), tmp_path / "m.skops")
    assert type(models.load_model_file(tmp_path / "m.skops")).__name__ == "LinearRegression"
