"""Safe extraction of ZIP/KMZ archives: traversal, absolute paths, symlinks, zip bombs, flattening."""

from __future__ import annotations

import stat
import struct
import zipfile
from pathlib import Path

import pytest

from gis import settings
from gis.errors import InputError, LimitExceeded
from gis.io.archive import extracted, member_names, safe_extract


def make_zip(path: Path, members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_extracts_flat_files(tmp_path: Path, dest: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", {"parcels.shp": b"shp", "parcels.dbf": b"dbf", "readme.txt": b"hi"})
    files = safe_extract(archive, dest)
    assert sorted(p.name for p in files) == ["parcels.dbf", "parcels.shp", "readme.txt"]
    assert all(p.parent == dest for p in files)
    assert (dest / "parcels.shp").read_bytes() == b"shp"


def test_nested_folders_are_flattened(tmp_path: Path, dest: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", {"export/2020/parcels.shp": b"1", "export/2020/parcels.dbf": b"2", "export/": b""})
    files = safe_extract(archive, dest)
    assert sorted(p.relative_to(dest).as_posix() for p in files) == ["parcels.dbf", "parcels.shp"]


def test_clashing_base_names_get_one_subfolder_per_archive_folder(tmp_path: Path, dest: Path) -> None:
    archive = make_zip(
        tmp_path / "a.zip",
        {"a/x.shp": b"a-shp", "a/x.dbf": b"a-dbf", "b/x.shp": b"b-shp", "b/x.dbf": b"b-dbf"},
    )
    files = safe_extract(archive, dest)
    assert len(files) == 4
    by_folder: dict[Path, set[str]] = {}
    for p in files:
        assert p.resolve().is_relative_to(dest.resolve())
        by_folder.setdefault(p.parent, set()).add(p.name)
    # Sidecars stay together, one folder per archive folder, names not taken from the archive.
    assert sorted(by_folder.values(), key=sorted) == [{"x.dbf", "x.shp"}, {"x.dbf", "x.shp"}]
    assert {p.parent.name for p in files} == {"001", "002"}
    assert sorted(p.read_bytes() for p in files if p.suffix == ".shp") == [b"a-shp", b"b-shp"]


def test_macos_junk_is_skipped(tmp_path: Path, dest: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", {"x.shp": b"1", "__MACOSX/._x.shp": b"junk", "._y.shp": b"junk"})
    assert [p.name for p in safe_extract(archive, dest)] == ["x.shp"]


@pytest.mark.parametrize("name", ["../evil.txt", "a/../../evil.txt", "..\\evil.txt", "a/b/../../../evil.txt"])
def test_parent_traversal_is_refused(tmp_path: Path, dest: Path, name: str) -> None:
    archive = make_zip(tmp_path / "a.zip", {"ok.txt": b"ok", name: b"evil"})
    with pytest.raises(InputError, match=r"\.\."):
        safe_extract(archive, dest)
    assert list(dest.iterdir()) == []  # nothing written before the check
    assert not (tmp_path / "evil.txt").exists()


@pytest.mark.parametrize("name", ["/etc/evil.txt", "\\windows\\evil.txt", "C:/evil.txt", "c:evil.txt"])
def test_absolute_paths_are_refused(tmp_path: Path, dest: Path, name: str) -> None:
    archive = make_zip(tmp_path / "a.zip", {name: b"evil"})
    with pytest.raises(InputError, match="absolute"):
        safe_extract(archive, dest)
    assert list(dest.iterdir()) == []


def test_symlink_member_is_refused(tmp_path: Path, dest: Path) -> None:
    info = zipfile.ZipInfo("link.shp")
    info.create_system = 3  # Unix
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as zf:
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(InputError, match="symbolic link"):
        safe_extract(tmp_path / "a.zip", dest)


def test_zip_bomb_ratio_is_refused(tmp_path: Path, dest: Path) -> None:
    # 20 MB of zeros deflates to ~20 kB: a ratio near 1000:1.
    archive = make_zip(tmp_path / "bomb.zip", {"zeros.dbf": bytes(20 * 1024 * 1024)})
    assert archive.stat().st_size < 100_000
    with pytest.raises(LimitExceeded, match="zip bomb"):
        safe_extract(archive, dest)
    assert list(dest.iterdir()) == []


def test_total_uncompressed_limit(tmp_path: Path, dest: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = make_zip(tmp_path / "big.zip", {"a.bin": bytes(600_000), "b.bin": bytes(600_000)})
    monkeypatch.setattr(settings, "MAX_ARCHIVE_RATIO", 10**9)  # only the total limit is under test
    monkeypatch.setattr(settings, "MAX_ARCHIVE_UNCOMPRESSED_BYTES", 1_000_000)
    with pytest.raises(LimitExceeded, match="1000000"):
        safe_extract(archive, dest)
    monkeypatch.setattr(settings, "MAX_ARCHIVE_UNCOMPRESSED_BYTES", 2_000_000)
    assert len(safe_extract(archive, dest)) == 2


def test_member_count_limit(tmp_path: Path, dest: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = make_zip(tmp_path / "many.zip", {f"f{i}.txt": b"x" for i in range(12)})
    monkeypatch.setattr(settings, "MAX_ARCHIVE_MEMBERS", 10)
    with pytest.raises(LimitExceeded, match="12"):
        safe_extract(archive, dest)


def _lie_about_size(archive: Path, member: str, declared: int) -> None:
    """Rewrite the uncompressed size in the local header and the central directory of one member."""
    data = bytearray(archive.read_bytes())
    name = member.encode()
    # local file header: signature PK\3\4, uncompressed size at offset 22
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, declared)
    # central directory header: signature PK\1\2, uncompressed size at offset 24, name at 46
    central = data.find(b"PK\x01\x02")
    assert data[central + 46 : central + 46 + len(name)] == name
    struct.pack_into("<I", data, central + 24, declared)
    archive.write_bytes(bytes(data))


def test_member_inflating_beyond_its_declared_size_is_refused(tmp_path: Path, dest: Path) -> None:
    archive = make_zip(tmp_path / "liar.zip", {"zeros.dbf": bytes(5 * 1024 * 1024)})
    _lie_about_size(archive, "zeros.dbf", 1000)  # claims 1000 bytes: passes the ratio check
    # zipfile stops at the declared size and then fails the CRC; our own byte count is the backstop.
    with pytest.raises(InputError, match="CRC|declared size"):
        safe_extract(archive, dest)
    written = dest / "zeros.dbf"
    assert not written.exists() or written.stat().st_size <= 1000


def test_not_a_zip(tmp_path: Path, dest: Path) -> None:
    bad = tmp_path / "x.zip"
    bad.write_bytes(b"this is not a zip archive")
    with pytest.raises(InputError, match="ZIP"):
        safe_extract(bad, dest)


def test_truncated_zip(tmp_path: Path, dest: Path) -> None:
    archive = make_zip(tmp_path / "t.zip", {"a.txt": b"hello" * 1000})
    archive.write_bytes(archive.read_bytes()[:60])
    with pytest.raises(InputError):
        safe_extract(archive, dest)


def test_gbk_member_names_are_decoded(tmp_path: Path, dest: Path) -> None:
    # Chinese Windows zip tools store GBK names without the UTF-8 flag.
    archive = tmp_path / "gbk.zip"
    gbk = "地块.shp".encode("gbk")
    # Rebuild the archive by hand with the GBK name in both headers (flag bit 11 unset).
    with zipfile.ZipFile(archive, "w") as zf:
        zi = zipfile.ZipInfo("_" * len(gbk))
        zf.writestr(zi, b"data")
    raw = bytearray(archive.read_bytes())
    placeholder = b"_" * len(gbk)
    assert raw.count(placeholder) == 2
    raw = raw.replace(placeholder, gbk)
    archive.write_bytes(bytes(raw))
    assert member_names(archive) == ["地块.shp"]
    assert [p.name for p in safe_extract(archive, dest)] == ["地块.shp"]


def test_extracted_cleans_up(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", {"x/y.kml": b"<kml/>"})
    with extracted(archive) as folder:
        assert (folder / "y.kml").read_bytes() == b"<kml/>"
        kept = folder
    assert not kept.exists()


def test_extracted_cleans_up_on_refusal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    import tempfile

    real = tempfile.mkdtemp

    def spy(*args: object, **kwargs: object) -> str:
        made.append(real(*args, **kwargs))  # type: ignore[arg-type]
        return made[-1]

    monkeypatch.setattr(tempfile, "mkdtemp", spy)
    archive = make_zip(tmp_path / "a.zip", {"../x": b"1"})
    with pytest.raises(InputError):
        with extracted(archive):
            pass
    assert made and not Path(made[0]).exists()
