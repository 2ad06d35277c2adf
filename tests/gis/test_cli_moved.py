"""``python -m gis`` knows no plan: a plan command asked of it names ``python -m layers`` in one line and exits 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "gis", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["metrics", "--json"], "metrics"),
        (["-v", "metrics", "--date", "2020-12-31"], "metrics"),
        (["plan", "propose", "x.txt", "--year", "2021"], "plan"),
        (["replace", "substations", "a.geojson", "--source", "s", "--accuracy-m", "1", "--user", "u"], "replace"),
        (["app", "--server.port", "8502"], "app"),
        (["metrics", "--help"], "metrics"),
        (["tiles", "--render-bundled", "out.mbtiles", "--zoom", "10-11"], "tiles --render-bundled"),
        (["tiles", "--render=out.mbtiles"], "tiles --render-bundled"),  # argparse would take the prefix
    ],
)
def test_a_plan_command_names_its_new_home_and_exits_2(tmp_path: Path, args: list[str], named: str) -> None:
    done = run(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == "" and "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()  # one line, Chinese then English
    assert f"{named} 属于规划命令，请用 python -m layers {named}（或 ssl-gis {named}）" in line
    assert f"use python -m layers {named} (or ssl-gis {named})" in line
    assert not list(tmp_path.iterdir())  # nothing written, nothing run


def test_the_moved_commands_load_nothing_of_the_plan(tmp_path: Path) -> None:
    code = (
        "import sys, contextlib, io\n"
        "from gis.__main__ import main\n"
        "with contextlib.redirect_stderr(io.StringIO()):\n"
        "    codes = [main(a) for a in (['metrics'], ['plan', 'place'], ['replace'], ['app'], ['tiles', '--render-bundled', 'o'])]\n"
        "print(codes, sorted(m for m in sys.modules if m.split('.')[0] in ('layers', 'ui', 'streamlit')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.strip() == "[2, 2, 2, 2, 2] []"


def test_checking_a_tile_package_stays_in_gis(tmp_path: Path) -> None:
    done = run("tiles", str(tmp_path / "none.mbtiles"), cwd=tmp_path)
    assert done.returncode == 1 and "no tile package" in done.stderr and "python -m layers" not in done.stderr
    helped = run("tiles", "--help", cwd=tmp_path)
    assert helped.returncode == 0 and "python -m layers tiles" in " ".join(helped.stdout.split())  # where --render-bundled runs


def test_help_lists_only_the_library_commands_and_points_to_the_plan_ones(tmp_path: Path) -> None:
    done = run("--help", cwd=tmp_path)
    assert done.returncode == 0
    usage = done.stdout.split("\n\n")[0]
    assert "validate" in usage and "tiles" in usage and "users" in usage
    assert not any(name in usage for name in ("metrics", "replace", "app,", "plan"))
    assert "python -m layers" in done.stdout and "ssl-gis" in done.stdout


def test_a_file_named_like_a_plan_command_is_just_a_file(tmp_path: Path) -> None:
    (tmp_path / "metrics").write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    done = run("validate", "metrics", cwd=tmp_path)
    assert done.returncode == 1 and "属于规划命令" not in done.stderr and "unsupported file type" in done.stderr


def test_a_callers_command_replaces_the_library_command_of_its_name(capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from gis.cli import Command, build_parser, main

    def args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--whole")

    own = Command("tiles", "the caller's tiles", args, lambda a: 7 if a.whole == "yes" else 0)
    parser = build_parser([own], prog="python -m layers", epilog="see also")
    assert parser.prog == "python -m layers" and parser.epilog == "see also"
    assert main(["tiles", "--whole", "yes"], commands=[own]) == 7  # the caller's, not the library's tiles
    with pytest.raises(SystemExit):
        build_parser([own]).parse_args(["tiles", "some.mbtiles"])  # the library's options are gone with it
    capsys.readouterr()
