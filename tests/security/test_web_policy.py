"""The source policy and the web door's message scrubbing, without a server.

The web door's policy refuses anything but an offered short name; the command
and the desktop add-in keep reading the user's own files exactly as before.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from kpi_excel.addin.server.redact import HIDDEN, MAX_MESSAGE, public_message
from kpi_excel.errors import InputError, UnreadableFileError
from kpi_excel.sources.policy import (
    SourcePolicy,
    SourceRefusedError,
    SourceUnavailableError,
    parse_offered,
)

from tests.addin.conftest import write_example_workbook

ROOT = Path(__file__).resolve().parents[2]
FINANCE = "Code,Period,Value,Note\nCFWS01,Q3 2022/23,\"4,321\",finance return\nCFWS02,Q3 2022/23,lots,typo\n"


@pytest.fixture()
def offered(tmp_path: Path) -> SourcePolicy:
    (tmp_path / "finance.csv").write_text(FINANCE, encoding="utf-8")
    return SourcePolicy.offered_only({"Finance": str(tmp_path / "finance.csv"),
                                      "gone": str(tmp_path / "gone.csv")})


# --- KPI_EXCEL_SOURCES ----------------------------------------------------------------------------


def test_offered_sources_are_a_json_object_of_short_names() -> None:
    assert parse_offered("") == {}
    assert parse_offered('{"finance": "/srv/f.csv", "Lait 2026": "lait:/srv/l.parquet"}') == {
        "finance": "/srv/f.csv", "Lait 2026": "lait:/srv/l.parquet"}


@pytest.mark.parametrize("text, says", [
    ("finance=/srv/f.csv", "not valid JSON"),
    ('["/srv/f.csv"]', "must be a JSON object"),
    ('{"../x": "/srv/f.csv"}', "not a usable short name"),
    ('{"a/b": "/srv/f.csv"}', "not a usable short name"),
    ('{"sql:x": "/srv/f.csv"}', "not a usable short name"),
    ('{"": "/srv/f.csv"}', "not a usable short name"),
    ('{"' + "x" * 61 + '": "/srv/f.csv"}', "not a usable short name"),
    ('{"Example": "/srv/f.csv"}', "bundled example benchmark"),
    ('{"Finance": "/a.csv", "finance": "/b.csv"}', "are the same name"),
    ('{"finance": 3}', "must name a path or URL"),
    ('{"finance": ""}', "must name a path or URL"),
])
def test_a_bad_sources_setting_says_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says) as caught:
        parse_offered(text)
    assert "KPI_EXCEL_SOURCES" in str(caught.value)


@pytest.mark.parametrize("value, says", [
    ("{not json", "KPI_EXCEL_SOURCES is not valid JSON"),
    ('{"db": "sql:postgresql://kpi:${KPI_TEST_UNSET_PASSWORD}@db/kpi#table=t"}', "source 'db'"),
])
def test_the_server_refuses_to_start_on_a_bad_sources_setting(tmp_path: Path, value: str, says: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XLWINGS_", "KPI_EXCEL_"))}
    env.update({"PYTHONPATH": str(ROOT), "XLWINGS_LICENSE_KEY": "noncommercial", "KPI_EXCEL_SOURCES": value})
    result = subprocess.run([sys.executable, "-m", "kpi_excel.addin.server", "--port", "1"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert says in result.stderr.strip().splitlines()[-1]


# --- the web door's policy ------------------------------------------------------------------------


def test_only_offered_names_are_sources(offered: SourcePolicy, tmp_path: Path) -> None:
    assert offered.source("finance", None).spec == str(tmp_path / "finance.csv")
    assert offered.source("  FINANCE ", tmp_path).label == "Finance"
    for text in ("finance.csv", str(tmp_path / "finance.csv"), "Finance#Sheet1", "lait:finance", "fin ance"):
        with pytest.raises(SourceRefusedError) as caught:
            offered.source(text, tmp_path)
        assert str(caught.value) == (f"sheet 'Settings': Extra sources: '{text}' is not a source this server offers; "
                                     "ask your administrator")
    with pytest.raises(SourceRefusedError) as caught:
        offered.source("y" * 500, None)
    assert len(str(caught.value)) < 200  # the officer's text is cut, not echoed whole


def test_benchmark_and_group_names(offered: SourcePolicy, tmp_path: Path) -> None:
    assert offered.benchmark("Example", None).label == "Example"
    assert offered.benchmark("finance", None).offered
    with pytest.raises(SourceRefusedError, match="Benchmark data: '/srv/lait.parquet' is not a source"):
        offered.benchmark("/srv/lait.parquet", None)
    with pytest.raises(SourceRefusedError, match="separated by semicolons"):
        offered.comparator_group("groups/east.txt", tmp_path)
    source, path = offered.comparator_group("finance", None)
    assert path == tmp_path / "finance.csv" and source.label == "Finance"


def test_an_offered_source_is_labelled_by_its_name(offered: SourcePolicy) -> None:
    observations = offered.read(offered.source("finance", None))
    assert set(observations.frame["source"]) == {"Finance"}
    assert observations.problems and all(p.where.startswith("Finance row ") for p in observations.problems)
    assert "finance.csv" not in " ".join(str(p) for p in observations.problems)


def test_an_offered_source_that_fails_is_named_not_shown(offered: SourcePolicy, tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="kpi_excel.sources.policy"):
        with pytest.raises(SourceUnavailableError) as caught:
            offered.read(offered.source("gone", None))
    assert "the source 'gone' could not be read on the server" in str(caught.value)
    assert str(tmp_path) not in str(caught.value)
    assert str(tmp_path / "gone.csv") in caplog.text  # the administrator finds the reason in the log


# --- the user's own files: unchanged ----------------------------------------------------------


def test_as_the_user_paths_resolve_beside_the_workbook(tmp_path: Path) -> None:
    (tmp_path / "values.csv").write_text(FINANCE, encoding="utf-8")
    mine = SourcePolicy.as_user()
    assert mine.source("values.csv", tmp_path).spec == str(tmp_path / "values.csv")
    assert mine.source("values.csv#Sheet1", tmp_path).spec == f"{tmp_path / 'values.csv'}#Sheet1"
    assert mine.source("lait:values.csv", tmp_path).spec == f"lait:{tmp_path / 'values.csv'}"
    assert mine.source("other.csv", tmp_path).spec == "other.csv"  # not beside it: as written
    with pytest.raises(SourceRefusedError, match="a workbook cannot name a database itself"):
        mine.source("sql:sqlite:///x.db#table=t", tmp_path)  # issue 17: a database only by a short name
    assert mine.source("/abs/values.csv", tmp_path).label == "/abs/values.csv"
    with pytest.raises(UnreadableFileError, match="no such file"):
        mine.read(mine.source(str(tmp_path / "gone.csv"), None))  # the user sees their own path
    with pytest.raises(InputError, match="no such group file 'east.txt'"):
        mine.comparator_group("east.txt", tmp_path)


def test_the_command_still_reads_the_users_own_files_named_in_settings(tmp_path: Path) -> None:
    from kpi_excel.cli import main

    report = write_example_workbook(tmp_path / "report.xlsx")
    (tmp_path / "beside.csv").write_text(FINANCE, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "more.csv").write_text("Code,Period,Value\nSC04,Q3 2022/23,91.5%\n", encoding="utf-8")
    book = load_workbook(report)
    book["Settings"].append(["Extra sources", f"beside.csv; {elsewhere / 'more.csv'}"])
    book.save(report)
    result = CliRunner().invoke(main, ["refresh", str(report)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(report, data_only=True)["KPIs"]
    headers = [c.value for c in sheet[1]]
    rows = {r[headers.index("Code")]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["CFWS01"][headers.index("Latest Period")] == "Q3 2022/23"
    assert rows["SC04"][headers.index("Latest Period")] == "Q3 2022/23"
    log = load_workbook(report)["Log"]
    assert str(elsewhere / "more.csv") in str(log.cell(log.max_row, 4).value)


# --- what the web door tells an officer ---------------------------------------------------------


@pytest.mark.parametrize("leaky", [
    "/srv/kpi/finance.csv: no such file", "cannot read '/etc/passwd'", "C:\\data\\kpi\\values.csv: locked",
    "C:/data/values.csv", "\\\\fileserver\\kpi\\values.csv is offline",
    "database error at postgresql+psycopg://kpi:***@db.internal:5432/kpi: timeout",
    "sql:sqlite:///var/lib/kpi.db#table=t failed", "see file:///etc/shadow", "~/secrets/x.csv missing",
    "(/opt/kpi/data/lait.parquet) is not a parquet file",
])
def test_public_messages_hide_server_paths_and_urls(leaky: str) -> None:
    out = public_message(leaky)
    assert HIDDEN in out
    for secret in ("/srv", "/etc", "data\\", "data/values", "fileserver", "db.internal", "kpi.db", "shadow",
                   "secrets", "/opt"):
        assert secret not in out, (leaky, out)


@pytest.mark.parametrize("fine", [
    "Rated 25 indicators: 3 Green, 4 Red, 18 N/A", "row 4 (SC01): 'Q2 2022/23' is later than 'As of'",
    "Polarity 'High = Good/Low' not understood", "value 1/2 is not a number", "77.6% vs target >97.2%",
    "Sources: Data sheet, finance row 2, benchmark: example",
])
def test_public_messages_leave_an_officers_text_alone(fine: str) -> None:
    assert public_message(fine) == fine


def test_public_messages_hide_named_secrets_and_stay_short() -> None:
    assert public_message("relative data/finance.csv failed", ["data/finance.csv"]) == \
        f"relative {HIDDEN} failed"
    assert len(public_message("x" * 10_000)) == MAX_MESSAGE
