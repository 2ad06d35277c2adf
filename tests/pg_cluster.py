"""A throwaway PostgreSQL + PostGIS cluster for the tests, from Debian's ``postgresql`` and ``postgis`` packages.

``initdb`` into a temporary folder, start the server on a free loopback port with its unix socket in that
folder (trust authentication, no fsync: the data is thrown away), create one database with PostGIS, and
stop and delete everything at the end of the session. As root the server runs as the ``postgres`` user
(``runuser``), since PostgreSQL refuses to run as root.

Where the packages are missing the PostGIS tests are skipped with the reason — except in CI
(``CI=true``), where a missing package is a failure.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Cluster", "find_binaries", "start_cluster", "unavailable_reason"]

DATABASE = "ssl_gis_test"
_PACKAGES = "postgresql postgresql-15-postgis-3 (Debian 12; apt-get install postgresql postgis)"


def find_binaries() -> tuple[Path, Path] | None:
    """``(bindir, sharedir)`` of the newest installed PostgreSQL major version, or None."""
    for bindir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True):
        share = Path("/usr/share/postgresql") / Path(bindir).parent.name
        if (Path(bindir) / "initdb").is_file() and (Path(bindir) / "pg_ctl").is_file():
            return Path(bindir), share
    return None


def unavailable_reason() -> str | None:
    """Why no cluster can be started here (None if it can)."""
    found = find_binaries()
    if found is None:
        return f"PostgreSQL server binaries not found under /usr/lib/postgresql (install {_PACKAGES})"
    _, share = found
    if not (share / "extension" / "postgis.control").is_file():
        return f"PostGIS extension not installed for PostgreSQL {share.name} (install {_PACKAGES})"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server as"
        if shutil.which("runuser") is None:
            return "running as root and runuser is missing"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "the Python driver psycopg is not installed (pip install 'psycopg[binary]')"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    """A running throwaway cluster: ``url`` reaches the PostGIS database over loopback TCP."""

    root: Path
    bindir: Path
    port: int
    as_postgres: bool

    @property
    def url(self) -> str:
        """``postgresql://postgres@127.0.0.1:<port>/ssl_gis_test``."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = list(args)
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=120, cwd=self.root)

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its folder."""
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop", check=False)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_cluster() -> Cluster:
    """initdb, start on a free loopback port, create the test database with PostGIS.

    Raises
    ------
    RuntimeError
        With the server's log when it does not start.
    """
    found = find_binaries()
    assert found is not None, unavailable_reason()
    bindir, _ = found
    root = Path(tempfile.mkdtemp(prefix="ssl-gis-pg-"))
    as_postgres = os.geteuid() == 0
    if as_postgres:
        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
    cluster = Cluster(root=root, bindir=bindir, port=0, as_postgres=as_postgres)
    try:
        initdb = [str(bindir / "initdb"), "-D", str(root / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]
        cluster._run(*initdb, "--no-sync")
        for _attempt in range(5):
            cluster.port = _free_port()
            opts = (
                f"-c listen_addresses=127.0.0.1 -p {cluster.port} -k {root} -c fsync=off -c synchronous_commit=off "
                "-c full_page_writes=off -c max_connections=40 -c shared_buffers=32MB"
            )
            started = cluster._run(
                str(bindir / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "server.log"), "-o", opts, "-w", "-t", "60", "start",
                check=False,
            )
            if started.returncode == 0:
                break
            time.sleep(0.2)  # the port was taken meanwhile: try another
        else:
            log = (root / "server.log").read_text(errors="replace")[-2000:] if (root / "server.log").exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {started.stderr[-500:]}\n{log}")
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        with psycopg.connect(cluster.url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION postgis")
    except BaseException:
        cluster.stop()
        raise
    return cluster
