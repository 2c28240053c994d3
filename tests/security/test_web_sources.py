"""The web door opens only the sources its administrator offers, proved over real HTTP.

The server runs as ``kpi-excel serve`` under a Python audit hook that records
every file it opens and every SQLite database it connects to in two watched
folders (canary files an attacker would like read, and the administrator's
offered files), and a trap socket on loopback counts connection attempts.
Each hostile Settings value is generated here and sent in a workbook, as Excel
on the web would send it; the test asserts the officer gets the one-line refusal,
that nothing was opened, connected to or created, and that the server answers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from tests.addin.batch_view import kpi_values, shown
from tests.addin.payload import payload_bytes, web_request

from tests.addin.conftest import stop_server, write_example_workbook

from .web_helpers import CHECK, JSON, SCRIPT, AuditedServer, Trap, actions_of, alerts, start_audited_server, \
    with_settings

CANARY_LINE = "kpi-excel canary header, never to be read"
CANARY_VALUE = "98765.4321"
PASSWORD = "Sup3r-Secret-pw"
REFUSED = "is not a source this server offers; ask your administrator"
UNAVAILABLE = "could not be read on the server; ask your administrator"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("web-sources")
    canary, offered = tmp / "canary", tmp / "offered"
    canary.mkdir()
    offered.mkdir()
    # What an attacker would like the server to read: a values file, a LAIT-like file, a group file.
    (canary / "values.csv").write_text(f"{CANARY_LINE}\nCode,Period,Value\nCFWS01,Q4 2022/23,{CANARY_VALUE}\n",
                                       encoding="utf-8")
    (canary / "lait.csv").write_text(f"{CANARY_LINE}\n", encoding="utf-8")
    (canary / "group.txt").write_text("Leicestershire\nRutland\n", encoding="utf-8")
    # What the administrator offers.
    (offered / "finance.csv").write_text("Code,Period,Value,Note\nCFWS01,Q3 2022/23,\"4,321\",finance return\n",
                                         encoding="utf-8")
    (offered / "group.txt").write_text("Leicestershire\nRutland\nNottinghamshire\nDerbyshire\nLincolnshire\n",
                                       encoding="utf-8")
    trap = Trap()
    sources = {
        "finance": str(offered / "finance.csv"),
        "missing": str(offered / "not-there.csv"),
        "warehouse": f"sql:postgresql+psycopg://kpi:{PASSWORD}@127.0.0.1:{trap.port}/kpi#table=kpi_values",
        "East Midlands": str(offered / "group.txt"),
    }
    audited = start_audited_server(tmp, [str(canary), str(offered), f":{trap.port}"],
                                   {"KPI_EXCEL_SOURCES": json.dumps(sources)})
    book = write_example_workbook(tmp / "report.xlsx")
    payload = web_request(book)
    yield {"tmp": tmp, "canary": canary, "offered": offered, "trap": trap, "server": audited,
           "payload": payload}
    stop_server(audited.server)
    trap.close()


def _post(audited: AuditedServer, payload: dict[str, Any], script: str = SCRIPT) -> httpx.Response:
    return httpx.post(audited.server.url + script, content=payload_bytes(payload), headers=JSON, timeout=120)


def _hostile(canary: Path, trap_port: int) -> list[str]:
    values = canary / "values.csv"
    return [
        str(values), f"{values}#Sheet1", values.as_uri(), "canary/values.csv", "./canary/values.csv",
        "../canary/values.csv", f"lait:{canary / 'lait.csv'}", str(canary / "lait.csv"), str(canary / "group.txt"),
        "/etc/passwd", "/etc/passwd#root", "../../../../../../etc/passwd", "~/.bashrc", "/proc/self/environ",
        "\\\\127.0.0.1\\share\\values.csv", "C:\\Windows\\win.ini", "file:///etc/passwd",
        f"sql:sqlite:///{canary / 'created.db'}#table=kpi", f"sql:sqlite:///{canary / 'created.db'}#query=SELECT 1",
        f"sql:sqlite:///{values}#query=SELECT 1",
        f"sql:postgresql+psycopg://kpi:pw@127.0.0.1:{trap_port}/kpi#table=kpi_values",
        f"sql:postgresql+psycopg://kpi@127.0.0.1:{trap_port}/kpi#query=DROP TABLE kpi_values",
        f"http://127.0.0.1:{trap_port}/values.csv", f"https://127.0.0.1:{trap_port}/values.csv",
        "finance/../../etc/passwd", "finance#Sheet1", "finance.csv", "lait:finance", "sql:finance",
        "example/../../etc/passwd", "x" * 5000,
    ]


SETTINGS = ("Extra sources", "Benchmark data", "Comparator group")


def _rows(setting: str, value: str) -> list[tuple[str, str]]:
    if setting == "Comparator group":
        return [("Benchmark data", "example"), ("Comparator group", value)]
    return [(setting, value)]


def test_hostile_sources_are_refused_and_never_opened(world: dict[str, Any]) -> None:
    audited: AuditedServer = world["server"]
    trap: Trap = world["trap"]
    cases = [(setting, value) for setting in SETTINGS for value in _hostile(world["canary"], trap.port)]
    assert len(cases) > 80
    for setting, value in cases:
        response = _post(audited, with_settings(world["payload"], _rows(setting, value)))
        actions = actions_of(response)
        assert [a["func"] for a in actions] == ["alert"], (setting, value)  # refused: nothing written
        text = alerts(actions)[0]
        assert REFUSED in text and setting in text, (setting, value, text)
        assert len(text.splitlines()) == 1 and len(text) < 250, text
        assert CANARY_LINE not in response.text and CANARY_VALUE not in response.text
    # never opened, never connected to, never created
    assert audited.opened() == []
    assert trap.connections == 0
    assert not (world["canary"] / "created.db").exists()
    assert audited.server.alive()


def test_one_hostile_entry_refuses_the_whole_list_before_anything_is_opened(world: dict[str, Any]) -> None:
    audited: AuditedServer = world["server"]
    before = audited.opened()
    payload = with_settings(world["payload"], [("Extra sources", f"finance; {world['canary'] / 'values.csv'}")])
    text = alerts(actions_of(_post(audited, payload)))[0]
    assert REFUSED in text
    assert audited.opened() == before  # not even the offered 'finance' was opened


def test_check_inputs_refuses_the_same_way(world: dict[str, Any]) -> None:
    audited: AuditedServer = world["server"]
    before = audited.opened()
    payload = with_settings(world["payload"], [("Extra sources", str(world["canary"] / "values.csv"))])
    actions = actions_of(_post(audited, payload, CHECK))
    assert [a["func"] for a in actions] == ["alert"] and REFUSED in alerts(actions)[0]
    assert audited.opened() == before


def test_an_offered_source_is_read_and_shown_by_its_short_name(world: dict[str, Any]) -> None:
    audited: AuditedServer = world["server"]
    before = len(audited.opened())
    for name in ("finance", " FINANCE "):
        response = _post(audited, with_settings(world["payload"], [("Extra sources", name)]))
        actions = actions_of(response)
        written = kpi_values(actions)
        assert "4,321" in written or 4321 in written  # the offered file's value came back
        assert "finance row 2" in written  # the Source column names the source and its row, not its file
        assert str(world["offered"]) not in response.text and "finance.csv" not in response.text
        assert shown(actions)[-1].startswith("Rated")
    opened = audited.opened()[before:]
    assert any("finance.csv" in line for line in opened)  # the audit hook does see what is opened


def test_an_offered_source_that_fails_names_only_itself(world: dict[str, Any]) -> None:
    audited: AuditedServer = world["server"]
    trap: Trap = world["trap"]
    for name in ("missing", "warehouse"):
        response = _post(audited, with_settings(world["payload"], [("Extra sources", name)]))
        actions = actions_of(response)
        assert [a["func"] for a in actions] == ["alert"]
        text = alerts(actions)[0]
        assert f"the source '{name}' {UNAVAILABLE}" in text
        for secret in (str(world["offered"]), "not-there", PASSWORD, "127.0.0.1", str(trap.port), "postgresql",
                       "kpi_values", "psycopg"):
            assert secret not in response.text, (name, secret)
    assert trap.connections >= 1  # the administrator's database was really tried
    log = audited.server.log.read_text()
    assert "not-there.csv" in log and "warehouse" in log  # the details are in the server's log...
    assert PASSWORD not in log  # ...without the password
    assert audited.server.alive()


def test_benchmark_example_and_comparators_by_name_or_offered_group(world: dict[str, Any]) -> None:
    audited: AuditedServer = world["server"]
    names = "Leicestershire; Rutland; Nottinghamshire; Derbyshire; Lincolnshire; Northamptonshire"
    written = {}
    for group in ("All authorities", names, "East Midlands", "east midlands"):
        payload = with_settings(world["payload"], [("Benchmark data", "example"), ("Comparator group", group)])
        actions = actions_of(_post(audited, payload))
        text = shown(actions)[-1]
        assert text.startswith("Rated") and "Benchmarked 19 against other authorities" in text, (group, text)
        written[group] = json.dumps(sorted(map(str, kpi_values(actions))))
    # the group really is used: quartiles within five East Midlands authorities differ from England's
    assert written["East Midlands"] == written["east midlands"] != written["All authorities"]
    refused = with_settings(world["payload"], [("Benchmark data", "Leicestershire")])
    assert REFUSED in alerts(actions_of(_post(audited, refused)))[0]


def test_a_workbook_that_breaks_the_reader_gets_one_line_and_no_edits(world: dict[str, Any]) -> None:
    """Anything unexpected: one line with a reference the administrator finds in the log, nothing written."""
    audited: AuditedServer = world["server"]
    payload = json.loads(json.dumps(world["payload"]))
    settings = next(s for s in payload["sheets"] if s["name"] == "Settings")
    settings["values"] = [[["a nested list"], {"an": "object"}, None]]  # no cell Office.js sends looks like this
    actions = actions_of(_post(audited, payload))
    assert [a["func"] for a in actions] == ["alert"]
    text = alerts(actions)[0]
    assert text.startswith("The server could not finish this (reference ") and "nothing was changed" in text
    reference = text.split("reference ", 1)[1].split(")", 1)[0]
    log = audited.server.log.read_text()
    assert f"failed (reference {reference})" in log and "Traceback" in log
    assert audited.server.alive()
