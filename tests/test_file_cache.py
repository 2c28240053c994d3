"""LAIT and neighbour files read once a process, again when they change; what one caller does to its copy stays its own."""

from __future__ import annotations

import csv
import os
import threading
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from kpi_excel.sources import lait_files
from kpi_excel.sources.file_cache import MAX_ENTRIES, cached, clear_cache, file_key
from kpi_excel.sources.lait_files import load_directory, read_dictionary, read_lait, read_neighbours

HEADER = "Short Desc,Years,LA and Regions,Values,LA Number,Region\n"
BUNDLED = Path(str(resources.files("kpi_excel").joinpath("data/benchmark")))


@pytest.fixture(autouse=True)
def _empty_cache():
    clear_cache()
    yield
    clear_cache()


def _lait_csv(path: Path, value: str) -> Path:
    path.write_text(HEADER + f"KS2,2024,Leicestershire,{value},855,East Midlands\n"
                    "KS2,2024,Rutland,60,857,East Midlands\n", encoding="utf-8")
    return path


def _value(data: lait_files.LaitData, area: str = "Leicestershire") -> float:
    frame = data.values
    return float(frame.loc[frame["area"] == area, "value"].iloc[0])


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every time LAIT's table is really read from disk (the reader itself still runs)."""
    seen: list[Path] = []
    real = lait_files.read_lait_table

    def counting(path: Path, columns: list[str] | None = None):  # type: ignore[no-untyped-def]
        seen.append(Path(path))
        return real(path, columns)

    monkeypatch.setattr(lait_files, "read_lait_table", counting)
    return seen


def test_a_file_is_read_once_then_again_when_rewritten_or_replaced(tmp_path: Path, reads: list[Path]) -> None:
    path = _lait_csv(tmp_path / "lait.csv", "71.5")
    assert _value(read_lait(path, reuse=True)) == 71.5
    assert _value(read_lait(path, reuse=True)) == 71.5
    assert len(reads) == 1

    _lait_csv(path, "80.25")  # rewritten in place: another size
    assert _value(read_lait(path, reuse=True)) == 80.25
    assert len(reads) == 2

    fresh = _lait_csv(tmp_path / "download.csv", "64.0")  # an administrator's new download moved over it
    os.replace(fresh, path)
    assert _value(read_lait(path, reuse=True)) == 64.0
    assert len(reads) == 3


def test_same_size_rewrite_with_a_later_time_is_read_again(tmp_path: Path, reads: list[Path]) -> None:
    path = _lait_csv(tmp_path / "lait.csv", "71.5")
    assert _value(read_lait(path, reuse=True)) == 71.5
    before = os.stat(path).st_mtime_ns
    _lait_csv(path, "72.5")  # the same number of bytes
    os.utime(path, ns=(before + 1_000_000, before + 1_000_000))  # a clock that moved on, however coarse
    assert _value(read_lait(path, reuse=True)) == 72.5
    assert len(reads) == 2


def test_without_reuse_every_read_goes_to_disk(tmp_path: Path, reads: list[Path]) -> None:
    path = _lait_csv(tmp_path / "lait.csv", "71.5")
    read_lait(path)
    read_lait(path)
    assert len(reads) == 2


def test_one_callers_changes_never_reach_another(tmp_path: Path) -> None:
    path = _lait_csv(tmp_path / "lait.csv", "71.5")
    first = read_lait(path, reuse=True)
    first.values.loc[0, "value"] = -1.0  # in place, as a careless request might
    first.values["area"] = "Nowhere"
    first.problems.append(lait_files.SourceProblem("here", "made up"))
    with pytest.raises(ValueError):
        first.values["value"].to_numpy()[0] = -2.0  # arrays handed out are read-only
    first.authorities.append("Atlantis")  # each caller's own list, though found once a read
    second = read_lait(path, reuse=True)
    assert _value(second) == 71.5 and second.problems == []
    assert second.authorities == ["Leicestershire", "Rutland"] == read_lait(path).authorities
    second.authorities.clear()
    assert read_lait(path, reuse=True).authorities == ["Leicestershire", "Rutland"]

    dictionary = read_dictionary(BUNDLED / "lait_dictionary.csv", reuse=True)
    dictionary.loc[dictionary.index[0], "polarity"] = "changed"
    dictionary["name"] = None
    again = read_dictionary(BUNDLED / "lait_dictionary.csv", reuse=True)
    assert "changed" not in set(again["polarity"].astype(str)) and again["name"].notna().any()


def test_neighbours_cached_as_cells_and_looked_up_per_call(tmp_path: Path) -> None:
    directory = load_directory()
    fresh = read_neighbours(BUNDLED / "sn_may_2025.xlsx", directory)
    first = read_neighbours(BUNDLED / "sn_may_2025.xlsx", directory, reuse=True)
    assert first == fresh and first.neighbours["Leicestershire"]
    first.neighbours["Leicestershire"].clear()
    assert read_neighbours(BUNDLED / "sn_may_2025.xlsx", directory, reuse=True) == fresh

    copy = tmp_path / "sn_may_2025.csv"
    rows = lait_files._neighbour_rows(BUNDLED / "sn_may_2025.xlsx")
    _write_csv(copy, rows)
    assert read_neighbours(copy, directory, reuse=True).neighbours == fresh.neighbours
    leics = next(r for r in rows if "Leicestershire" in [str(c) for c in r])
    at = [str(c) for c in leics].index("Leicestershire")
    edited = [[("" if (r is leics and c > at + 1) else v) for c, v in enumerate(r)] for r in rows]
    _write_csv(copy, edited)  # Leicestershire's neighbours removed
    assert read_neighbours(copy, directory, reuse=True).neighbours["Leicestershire"] == []


def _write_csv(path: Path, rows: list[list[object]]) -> None:
    width = max(len(row) for row in rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["" if v is None else v for v in row] + [""] * (width - len(row))
                                      for row in rows])


def test_concurrent_requests_read_a_file_once(tmp_path: Path, reads: list[Path]) -> None:
    path = _lait_csv(tmp_path / "lait.csv", "71.5")
    start = threading.Barrier(8)
    values: list[float] = []

    def request() -> None:
        start.wait()
        values.append(_value(read_lait(path, reuse=True)))

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert values == [71.5] * 8 and len(reads) == 1


def test_a_failed_read_is_not_cached_and_the_cache_stays_bounded(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_text("not,lait\n1,2\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(Exception):
            read_lait(path, reuse=True)
    made = [cached("test", _lait_csv(tmp_path / f"f{i}.csv", "1"), lambda i=i: np.array([i]))
            for i in range(MAX_ENTRIES + 4)]
    assert [int(m[0]) for m in made] == list(range(MAX_ENTRIES + 4))
    assert int(cached("test", tmp_path / "f0.csv", lambda: np.array([-1]))[0]) == -1  # the oldest was dropped
    assert file_key(path)[0] == os.path.abspath(path)


def _sheet_values(path: Path, name: str) -> list[tuple[object, ...]]:
    from openpyxl import load_workbook

    return list(load_workbook(path, read_only=True)[name].iter_rows(values_only=True))


def test_funnel_counts_are_worked_out_once_a_lait_read_and_agree_with_fresh_ones(tmp_path: Path,
                                                                                    monkeypatch) -> None:
    import shutil

    import kpi_excel.app.authority_benchmark as authority_benchmark
    from kpi_excel.app.report_files import new_report, refresh_report

    calls: list[str] = []
    real = authority_benchmark.counts_at
    monkeypatch.setattr(authority_benchmark, "counts_at",
                        lambda values, pairs, periods, **kw: calls.append(*periods) or real(values, pairs, periods, **kw))
    report = new_report(tmp_path / "report.xlsx", example=True)
    fresh, warm = tmp_path / "fresh.xlsx", tmp_path / "warm.xlsx"
    shutil.copy(report, warm)
    now = __import__("datetime").datetime(2026, 4, 1, 9, 0)
    refresh_report(report, fresh, now=now)
    worked_out = list(calls)
    assert worked_out, "the example benchmarks rows with counts"
    refresh_report(warm, now=now)  # the same LAIT read, still cached: its counts are reused
    assert calls == worked_out
    assert _sheet_values(warm, "Benchmark") == _sheet_values(fresh, "Benchmark")
    clear_cache()  # a new read (a changed file, a new process) works them out again
    refresh_report(warm, tmp_path / "again.xlsx", now=now)
    assert calls == worked_out * 2


def test_bundled_directory_built_once_and_each_caller_extends_its_own() -> None:
    first, second = load_directory(), load_directory()
    assert first is not second and first.made_from == ("bundled LA code list",)
    assert first.areas == second.areas and first.find("Leics") is None
    first.add("Atlantis", 999)
    assert first.made_from is None  # filled some other way now: nothing reused for it
    assert first.by_number(999) == "Atlantis" and first.find("atlantis") == "Atlantis"
    assert second.by_number(999) is None and second.find("atlantis") is None
    assert load_directory().find("atlantis") is None and load_directory().made_from == ("bundled LA code list",)


def test_neighbour_names_looked_up_once_for_a_directory_made_the_same_way(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from kpi_excel.app import authority_benchmark

    calls: list[Path] = []
    real = lait_files.read_neighbours

    def counted(path: Path, directory, *, reuse: bool = False):  # type: ignore[no-untyped-def]
        calls.append(path)
        return real(path, directory, reuse=reuse)

    monkeypatch.setattr(lait_files, "read_neighbours", counted)
    path = tmp_path / "sn_may_2025.csv"
    rows = lait_files._neighbour_rows(BUNDLED / "sn_may_2025.xlsx")
    _write_csv(path, rows)
    memo: dict = {}
    directory = load_directory()
    first = authority_benchmark._neighbours(path, directory, directory.made_from, memo)
    again = authority_benchmark._neighbours(path, load_directory(), directory.made_from, memo)
    assert again is first and len(calls) == 1 and first.neighbours["Leicestershire"]
    # A directory filled another way is not known to be the same: looked up again, not kept.
    authority_benchmark._neighbours(path, directory, None, memo)
    assert len(calls) == 2
    # A changed neighbour file is another key.
    leics = next(r for r in rows if "Leicestershire" in [str(c) for c in r])
    at = [str(c) for c in leics].index("Leicestershire")
    _write_csv(path, [[("" if (r is leics and c > at + 1) else v) for c, v in enumerate(r)] for r in rows])
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    changed = authority_benchmark._neighbours(path, directory, directory.made_from, memo)
    assert len(calls) == 3 and changed.neighbours["Leicestershire"] == []


def test_lait_areas_joined_to_the_bundled_directory_once(tmp_path: Path) -> None:
    path = _lait_csv(tmp_path / "lait.csv", "71.5")
    fresh = read_lait(path).directory(load_directory())  # read afresh: nothing kept

    def state(directory):  # type: ignore[no-untyped-def]
        return directory.areas, directory._keys, directory._numbers

    first = read_lait(path, reuse=True).directory(load_directory())
    second = read_lait(path, reuse=True).directory(load_directory())  # from what the first worked out
    assert state(first) == state(fresh) and state(second) == state(fresh)
    assert first.region_of("Rutland") == fresh.region_of("Rutland") and first.number_of("Rutland") == 857
    second.add("Atlantis", 999)
    assert first.by_number(999) is None and read_lait(path, reuse=True).directory(load_directory()).by_number(999) is None
    # a base filled some other way gets the adds themselves
    other = load_directory()
    other.add("Atlantis", 999)
    joined = read_lait(path, reuse=True).directory(other)
    assert joined.by_number(999) == "Atlantis" and joined.number_of("Rutland") == 857


def test_funnels_against_every_authority_are_drawn_once_a_lait_read(tmp_path: Path, monkeypatch) -> None:
    import shutil

    import kpi_excel.app.authority_benchmark as authority_benchmark
    from kpi_excel.app.report_files import new_report, refresh_report

    drawn: list[str] = []
    real = authority_benchmark.funnel_for
    monkeypatch.setattr(authority_benchmark, "funnel_for",
                        lambda rows, **kw: drawn.append(kw["indicator"]) or real(rows, **kw))
    report = new_report(tmp_path / "report.xlsx", example=True)
    fresh, warm = tmp_path / "fresh.xlsx", tmp_path / "warm.xlsx"
    shutil.copy(report, warm)
    now = __import__("datetime").datetime(2026, 4, 1, 9, 0)
    refresh_report(report, fresh, now=now)
    first = list(drawn)
    assert first, "the example draws funnels"
    refresh_report(warm, now=now)  # the same LAIT read: the same funnels, not drawn again
    assert drawn == first
    assert _sheet_values(warm, "Benchmark") == _sheet_values(fresh, "Benchmark")


def test_period_labels_found_once_a_lait_read_and_only_for_codes_it_has(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from kpi_excel.app import authority_benchmark

    path = tmp_path / "lait.csv"
    path.write_text(HEADER + "KS2,2024,Leicestershire,71,855,East Midlands\nKS4,2023,Leicestershire,40,855,"
                    "East Midlands\nKS2,2022,Rutland,60,857,East Midlands\nKS2,2024,Rutland,61,857,East Midlands\n",
                    encoding="utf-8")
    calls: list[set[str]] = []
    real = authority_benchmark._labels_in
    monkeypatch.setattr(authority_benchmark, "_labels_in", lambda values, codes: calls.append(codes) or
                        real(values, codes))
    data = read_lait(path, reuse=True)
    codes = {"KS2", "NOPE"}
    rows = authority_benchmark._rows_of_codes(data.values, codes, data.derived)
    fresh = real(rows, codes)
    assert fresh == {"KS2": ("2024", "2022"), "NOPE": ()}  # in the order they first appear
    first = authority_benchmark._labels_by_code(rows, codes, data.derived)
    again = authority_benchmark._labels_by_code(rows, codes, read_lait(path, reuse=True).derived)
    assert first == again == fresh and len(calls) == 1
    assert not any(key[1] == "NOPE" for key in data.derived if key[0] == "period labels")  # unknown: not kept
    wanted = [("KS2", "k", "2023/24"), ("NOPE", "k", "2024")]
    assert authority_benchmark._matching_labels(rows, wanted, None, data.derived) == \
        authority_benchmark._matching_labels(rows, wanted, None)
    assert len(calls) == 2  # the memo's answer, and one found afresh to compare
    more = {"KS2", "KS4"}  # a code not seen yet: found, the others kept
    labels = authority_benchmark._labels_by_code(authority_benchmark._rows_of_codes(data.values, more, data.derived),
                                                 more, data.derived)
    assert labels == {"KS2": ("2024", "2022"), "KS4": ("2023",)} and len(calls) == 3
    _lait_csv(path, "80.25")  # a changed file: a new read, its labels found again
    changed = read_lait(path, reuse=True)
    assert authority_benchmark._labels_by_code(authority_benchmark._rows_of_codes(changed.values, codes, changed.derived),
                                               codes, changed.derived) == {"KS2": ("2024",), "NOPE": ()}
    assert len(calls) == 4


def test_first_counts_by_area_kept_once_a_lait_read_and_read_only(tmp_path: Path) -> None:
    import pandas as pd

    from kpi_excel.app import authority_benchmark

    rows = pd.DataFrame({"area": ["A", "B", "A"], "numerator": [1.0, 2.0, 9.0], "denominator": [10.0, 20.0, 90.0]})
    memo: dict = {}
    first = authority_benchmark._first_counts_at(rows, ("KS2", "2024", None), memo)
    assert dict(first) == {"A": (1.0, 10.0), "B": (2.0, 20.0)}  # each area's first row
    assert authority_benchmark._first_counts_at(rows.iloc[:0], ("KS2", "2024", None), memo) is first
    with pytest.raises(TypeError):
        first["A"] = (0.0, 0.0)  # type: ignore[index]  # shared by requests: nobody changes it
    assert dict(authority_benchmark._first_counts_at(rows.iloc[1:], ("KS2", "2023", None), memo)) == \
        {"B": (2.0, 20.0), "A": (9.0, 90.0)}
    assert dict(authority_benchmark._first_counts_at(rows, ("KS2", "2024", None), None)) == dict(first)


def test_a_reports_benchmark_is_kept_with_the_lait_read_keyed_and_bounded(tmp_path: Path, monkeypatch) -> None:
    """The second refresh of a report reads its benchmark (every authority ranked) from what is kept
    with the LAIT read: the same sheet as worked out afresh, even after the first caller changed
    its frame; other Settings are another answer, and no more than ANSWERS_KEPT are kept."""
    import shutil

    import kpi_excel.app.authority_benchmark as authority_benchmark
    import kpi_excel.app.refresh_plan as refresh_plan
    import kpi_excel.core.benchmark as core_benchmark
    from kpi_excel.app.report_files import new_report, refresh_report

    ranked: list[int] = []
    real_benchmark = core_benchmark.benchmark
    monkeypatch.setattr(core_benchmark, "benchmark", lambda *a, **kw: ranked.append(1) or real_benchmark(*a, **kw))
    given: list = []
    real_answer = refresh_plan.authority_benchmark

    def answer(*args, **kwargs):  # type: ignore[no-untyped-def]
        frame, funnels = real_answer(*args, **kwargs)
        given.append(frame)
        return frame, funnels

    monkeypatch.setattr(refresh_plan, "authority_benchmark", answer)
    report = new_report(tmp_path / "report.xlsx", example=True)
    fresh, warm = tmp_path / "fresh.xlsx", tmp_path / "warm.xlsx"
    shutil.copy(report, warm)
    now = __import__("datetime").datetime(2026, 4, 1, 9, 0)
    refresh_report(report, fresh, now=now)
    assert ranked, "the example is benchmarked"
    worked_out = len(ranked)
    given[0]["value"] = -1.0  # one caller's frame is its own
    given[0].iloc[:, 0] = None
    refresh_report(warm, now=now)
    assert len(ranked) == worked_out  # kept: not ranked again
    assert _sheet_values(warm, "Benchmark") == _sheet_values(fresh, "Benchmark")
    assert given[1] is not given[0] and not given[1].equals(given[0])

    memo: dict = {}
    made: list[int] = []
    for key in range(authority_benchmark.ANSWERS_KEPT + 3):
        authority_benchmark._kept_answer(memo, key, lambda: made.append(1) or (None, ()))  # type: ignore[arg-type]
    assert len(memo[("answers",)]) <= authority_benchmark.ANSWERS_KEPT and len(made) == authority_benchmark.ANSWERS_KEPT + 3
    last = authority_benchmark.ANSWERS_KEPT + 2
    authority_benchmark._kept_answer(memo, last, lambda: made.append(1) or (None, ()))  # type: ignore[arg-type]
    authority_benchmark._kept_answer(None, last, lambda: made.append(1) or (None, ()))  # type: ignore[arg-type]
    authority_benchmark._kept_answer(memo, None, lambda: made.append(1) or (None, ()))  # type: ignore[arg-type]
    assert len(made) == authority_benchmark.ANSWERS_KEPT + 5  # the kept one, then no memo and no key: made
