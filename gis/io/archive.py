r"""Safe extraction of ZIP archives (zipped Shapefiles, KMZ) into a private temporary folder.

An uploaded archive is untrusted: its member names may point outside the folder (``../``, ``/etc``,
``C:\``), a member may be a symbolic link, and a few kilobytes may inflate to gigabytes (a zip bomb).
:func:`safe_extract` refuses all of these before writing a byte, and checks again while inflating: the
sizes in the central directory are only claims, so the real bytes are counted as they stream out and
extraction stops as soon as a member exceeds its declared size or the archive exceeds its total.

Members are flattened: each file lands directly in the destination folder under its own base name, never
under a path taken from the archive. When two members in different folders share a base name (two
``parcels.shp`` in ``a/`` and ``b/``), each archive folder gets its own numbered sub-folder instead, so
sidecar files (``.shp``/``.shx``/``.dbf``/``.prj``) that sit together stay together.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from gis import settings
from gis.errors import InputError, LimitExceeded

__all__ = ["safe_extract", "extracted", "member_names"]

logger = logging.getLogger(__name__)

#: Bytes read from a member per step while inflating.
_CHUNK_BYTES = 1024 * 1024
#: Members smaller than this are not checked for their compression ratio: a few kilobytes of
#: repetitive text (a .prj, a .cpg, an empty .dbf) legitimately compress 100-fold and cannot be a bomb.
_RATIO_FLOOR_BYTES = 64 * 1024
#: A drive letter (``C:``) or a Windows UNC/absolute prefix at the start of a member name.
_DRIVE = re.compile(r"^[A-Za-z]:")
#: Characters never allowed in a written file name.
_UNSAFE_CHARS = re.compile(r"[\x00-\x1f<>:\"|?*\\]")


def _decoded_name(info: zipfile.ZipInfo) -> str:
    """The member's name, re-decoded when the archive did not flag it as UTF-8.

    Python decodes names without the UTF-8 flag (bit 11) as CP437. Archives made on Chinese Windows
    store GBK names without the flag; Linux and macOS tools store UTF-8 without it. Try UTF-8, then
    GB18030, and keep CP437 as the last resort.
    """
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _is_junk(parts: tuple[str, ...]) -> bool:
    """Skip macOS resource forks (``__MACOSX/``, ``._name``) and Windows thumbnails carry no data."""
    return parts[0] == "__MACOSX" or parts[-1].startswith("._") or parts[-1] in {"Thumbs.db", ".DS_Store"}


def _checked_parts(name: str) -> tuple[str, ...]:
    """Split a member name into path parts, refusing every form that could escape the folder.

    Raises
    ------
    gis.errors.InputError
        Absolute paths, drive letters, ``..`` parts, NUL bytes.
    """
    unified = name.replace("\\", "/")
    if unified.startswith("/") or _DRIVE.match(unified) or "\x00" in unified:
        raise InputError(
            f"压缩包成员路径不安全（绝对路径）：{name!r}",
            f"unsafe archive member path (absolute): {name!r}",
        )
    parts = tuple(p for p in PurePosixPath(unified).parts if p not in ("", "."))
    if any(p == ".." for p in parts):
        raise InputError(
            f"压缩包成员路径不安全（含 ..）：{name!r}",
            f"unsafe archive member path (contains '..'): {name!r}",
        )
    return parts


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    """True when the member's Unix mode (high 16 bits of the external attributes) is a symbolic link."""
    return stat.S_ISLNK(info.external_attr >> 16)


def _plan(zf: zipfile.ZipFile) -> list[tuple[zipfile.ZipInfo, tuple[str, ...]]]:
    """Check every member against the limits and return the files to write with their path parts."""
    infos = zf.infolist()
    if len(infos) > settings.MAX_ARCHIVE_MEMBERS:
        raise LimitExceeded(
            f"压缩包成员过多：{len(infos)} 个，上限 {settings.MAX_ARCHIVE_MEMBERS}",
            f"too many archive members: {len(infos)}, the limit is {settings.MAX_ARCHIVE_MEMBERS}",
        )
    declared_total = 0
    files: list[tuple[zipfile.ZipInfo, tuple[str, ...]]] = []
    for info in infos:
        name = _decoded_name(info)
        parts = _checked_parts(name)
        if _is_symlink(info):
            raise InputError(f"压缩包含符号链接，拒绝：{name!r}", f"archive member is a symbolic link; refused: {name!r}")
        if info.flag_bits & 0x1:
            raise InputError(f"压缩包成员已加密，无法读取：{name!r}", f"archive member is encrypted: {name!r}")
        if info.is_dir() or not parts or _is_junk(parts):
            continue
        declared_total += info.file_size
        if declared_total > settings.MAX_ARCHIVE_UNCOMPRESSED_BYTES:
            raise LimitExceeded(
                f"压缩包解压后过大：超过 {settings.MAX_ARCHIVE_UNCOMPRESSED_BYTES} 字节",
                f"archive inflates beyond the limit of {settings.MAX_ARCHIVE_UNCOMPRESSED_BYTES} bytes",
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR_BYTES and ratio > settings.MAX_ARCHIVE_RATIO:
            raise LimitExceeded(
                f"压缩包成员压缩比异常（{ratio:.0f}:1，上限 {settings.MAX_ARCHIVE_RATIO}:1），疑为压缩炸弹：{name!r}",
                f"archive member compression ratio {ratio:.0f}:1 exceeds {settings.MAX_ARCHIVE_RATIO}:1 (zip bomb?): {name!r}",
            )
        files.append((info, parts))
    return files


def _targets(files: list[tuple[zipfile.ZipInfo, tuple[str, ...]]], dest: Path) -> list[Path]:
    """Flattened destination paths: base names in ``dest``, or numbered sub-folders on a name clash."""
    base_names = [_safe_base(parts[-1]) for _, parts in files]
    clash = len({b.lower() for b in base_names}) != len(base_names)
    if not clash:
        return [dest / b for b in base_names]
    folders: dict[tuple[str, ...], Path] = {}
    targets = []
    for (_, parts), base in zip(files, base_names):
        folder = folders.setdefault(parts[:-1], dest / f"{len(folders) + 1:03d}")
        targets.append(folder / base)
    if len({str(t).lower() for t in targets}) != len(targets):
        raise InputError("压缩包内同一文件夹有重名文件", "the archive holds two files with the same name in one folder")
    return targets


def _safe_base(name: str) -> str:
    """A base name safe to write on any platform (no separators, control or reserved characters)."""
    cleaned = _UNSAFE_CHARS.sub("_", name).strip(" .")
    return cleaned or "member"


def _copy_bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int) -> int:
    """Inflate one member to ``target`` counting the real bytes; return how many were written."""
    written = 0
    with zf.open(info) as source, open(target, "xb") as sink:
        while True:
            chunk = source.read(_CHUNK_BYTES)
            if not chunk:
                break
            written += len(chunk)
            if written > info.file_size:
                raise LimitExceeded(
                    f"压缩包成员实际大小超过声明大小，拒绝：{info.filename!r}",
                    f"archive member inflates beyond its declared size; refused: {info.filename!r}",
                )
            if written > budget:
                raise LimitExceeded(
                    f"压缩包解压后过大：超过 {settings.MAX_ARCHIVE_UNCOMPRESSED_BYTES} 字节",
                    f"archive inflates beyond the limit of {settings.MAX_ARCHIVE_UNCOMPRESSED_BYTES} bytes",
                )
            sink.write(chunk)
    return written


def safe_extract(archive: Path, dest: Path) -> list[Path]:
    """Extract the files of a ZIP archive (or KMZ) into ``dest``, refusing anything unsafe.

    Parameters
    ----------
    archive : pathlib.Path
        The ZIP file. Its name is never used to build a path.
    dest : pathlib.Path
        An existing, private, empty folder (e.g. from :func:`tempfile.mkdtemp`); the caller removes it.

    Returns
    -------
    list of pathlib.Path
        The extracted files, all inside ``dest`` (flattened; see the module docstring). Folders, macOS
        ``__MACOSX`` resource forks and ``._*`` files are skipped.

    Raises
    ------
    gis.errors.InputError
        Not a ZIP archive, a member with an absolute path, a drive letter, a ``..`` part, a symbolic link,
        or encryption; corrupted data (bad CRC).
    gis.errors.LimitExceeded
        More than ``settings.MAX_ARCHIVE_MEMBERS`` members; declared or real total size above
        ``settings.MAX_ARCHIVE_UNCOMPRESSED_BYTES``; a member whose compression ratio exceeds
        ``settings.MAX_ARCHIVE_RATIO``; a member inflating beyond its declared size.
    """
    dest = Path(dest)
    root = dest.resolve()
    try:
        with zipfile.ZipFile(archive) as zf:
            files = _plan(zf)
            targets = _targets(files, dest)
            budget = settings.MAX_ARCHIVE_UNCOMPRESSED_BYTES
            written: list[Path] = []
            for (info, _), target in zip(files, targets):
                # Belt and braces: the target is built from a sanitised base name, but check anyway.
                if not target.resolve().is_relative_to(root):
                    raise InputError(f"压缩包成员路径不安全：{info.filename!r}", f"unsafe archive member path: {info.filename!r}")
                target.parent.mkdir(parents=True, exist_ok=True)
                budget -= _copy_bounded(zf, info, target, budget)
                written.append(target)
    except zipfile.BadZipFile as exc:
        raise InputError(f"不是有效的 ZIP 压缩包或已损坏：{exc}", f"not a valid ZIP archive, or corrupted: {exc}") from None
    except (zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
        if isinstance(exc, FileNotFoundError) and not Path(archive).exists():
            raise InputError("找不到压缩包文件", "archive file not found") from None
        raise InputError(f"无法解压：{exc}", f"cannot extract the archive: {exc}") from None
    logger.debug("extracted %d members from an archive into %s", len(written), dest)
    return written


def member_names(archive: Path) -> list[str]:
    """Names of the files in a ZIP archive (decoded, unchecked; for messages and listings only).

    Parameters
    ----------
    archive : pathlib.Path
        The ZIP file.

    Returns
    -------
    list of str
        Member names in archive order, folders excluded.
    """
    try:
        with zipfile.ZipFile(archive) as zf:
            return [_decoded_name(i) for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"不是有效的 ZIP 压缩包：{exc}", f"not a valid ZIP archive: {exc}") from None


@contextlib.contextmanager
def extracted(archive: Path) -> Iterator[Path]:
    """Extract an archive into a fresh private temporary folder and remove the folder afterwards.

    Parameters
    ----------
    archive : pathlib.Path
        The ZIP file (or KMZ).

    Yields
    ------
    pathlib.Path
        The folder holding the extracted files (see :func:`safe_extract`).

    Examples
    --------
    >>> with extracted(Path("parcels.zip")) as folder:  # doctest: +SKIP
    ...     shp = next(folder.rglob("*.shp"))
    """
    folder = Path(tempfile.mkdtemp(prefix="gis-archive-"))
    try:
        safe_extract(archive, folder)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
