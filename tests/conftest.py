"""Shared fixtures: the data in ``tests/fixtures`` (LAIT, the seeds, the
real-Excel workbooks), a CLI runner, and a real PostgreSQL server
(``KPI_EXCEL_TEST_PG_URL``, else a private cluster started here in a temporary
folder on a loopback port), and the same server as a login that can only read."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PG_BIN_CANDIDATES = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


TESTS = ROOT / "tests"
FIXTURES = TESTS / "fixtures"  # everything the tests read; see its README for sources and licences
LAIT_DIR = FIXTURES / "lait"
EXCEL_MADE = FIXTURES / "excel-made"
SEEDS = FIXTURES / "seeds"

sys.path.insert(0, str(TESTS))  # for seed_table
# In CI (CI=true) a missing server or data set fails the run instead of skipping quietly.
IN_CI = os.environ.get("CI", "").lower() == "true"


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this must be there in CI)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def lait_dir() -> Path:
    if not (LAIT_DIR / "bds_long_0.parquet").exists():
        _missing(f"LAIT data not found at {LAIT_DIR}")
    return LAIT_DIR


@pytest.fixture(scope="session")
def lait_data(lait_dir: Path):
    from kpi_excel.sources.lait_files import read_lait

    return read_lait(lait_dir / "bds_long_0.parquet")


@pytest.fixture(scope="session")
def lait_dictionary(lait_dir: Path):
    from kpi_excel.sources.lait_files import read_dictionary

    return read_dictionary(lait_dir / "lait_data_dictionary.csv")


@pytest.fixture(scope="session")
def lait_directory(lait_data):
    from kpi_excel.sources.lait_files import load_directory

    return lait_data.directory(load_directory())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@pytest.fixture(scope="session")
def pg_url():
    """A PostgreSQL URL for SQLAlchemy (psycopg 3 driver)."""
    given = os.environ.get("KPI_EXCEL_TEST_PG_URL")
    if given:
        yield given
        return
    bin_dir = next((b for b in PG_BIN_CANDIDATES if (b / "initdb").exists()), None)
    if bin_dir is None:
        _missing("no PostgreSQL server: install postgresql or set KPI_EXCEL_TEST_PG_URL")
    import tempfile

    # Not under pytest's tmp folder: that one is private to root, and the server runs as postgres.
    base = Path(tempfile.mkdtemp(prefix="kpi-excel-pg-"))
    data = base / "data"
    socket_dir = base / "sock"
    socket_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(socket_dir, "postgres")
    subprocess.run(_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "kpi", "--auth=trust",
                                 "-E", "UTF8", "--locale=C"]), check=True, capture_output=True)
    port = _free_port()
    log = base / "server.log"
    subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
                                 "-o", f"-h 127.0.0.1 -p {port} -k {socket_dir} -F", "start"]),
                   check=True, capture_output=True)
    try:
        url = f"postgresql+psycopg://kpi@127.0.0.1:{port}/postgres"
        deadline = time.monotonic() + 30
        import sqlalchemy as sa

        while True:
            try:
                engine = sa.create_engine(url)
                with engine.connect():
                    pass
                engine.dispose()
                break
            except sa.exc.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


READER = "kpi_reader"


@pytest.fixture(scope="session")
def pg_reader_url(pg_url: str) -> str:
    """The same server as a login that can only read, as a source's login must be (see the admin
    guide's Security model): ``pg_read_all_data``, no superuser. ``pg_url`` is the superuser
    that builds the tests' tables."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    engine = sa.create_engine(pg_url)
    try:
        with engine.begin() as connection:
            if not connection.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": READER}).first():
                connection.execute(sa.text(f"CREATE ROLE {READER} LOGIN"))
            connection.execute(sa.text(f"GRANT pg_read_all_data TO {READER}"))
    except sa.exc.SQLAlchemyError as error:
        _missing(f"cannot make the read-only login {READER} with {make_url(pg_url)!r}: {error}")
    finally:
        engine.dispose()
    return make_url(pg_url).set(username=READER, password=None).render_as_string(hide_password=False)


@pytest.fixture
def runner():
    from click.testing import CliRunner

    return CliRunner()


@pytest.fixture
def seed_tsv(tmp_path: Path) -> Path:
    from seed_table import write_seed_tsv

    return write_seed_tsv(tmp_path / "seed_2022_23.tsv")
