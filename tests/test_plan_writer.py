"""Every plan writer is declared against one interface, and one walk over a plan drives them all."""

from __future__ import annotations

import ast
import inspect

import pytest

from kpi_excel.core.plan import ColumnSpec, KpiUpdate, LogEntry, Plan, SheetSpec
from kpi_excel.workbook import book_writer, file_door, web_batch
from kpi_excel.workbook.plan_writer import PlanWriter, write_plan

OPERATIONS = ("write_kpis", "write_sheet", "append_log", "done")
WRITERS = [file_door._PackageWriter, book_writer._BookWriter, web_batch._BatchWriter]


def test_the_interface_names_the_operations() -> None:
    assert {name for name in vars(PlanWriter) if not name.startswith("_")} == set(OPERATIONS)


@pytest.mark.parametrize("writer", WRITERS, ids=lambda w: w.__module__.rsplit(".", 1)[-1])
def test_each_writer_is_declared_against_it_and_does_every_operation_itself(writer: type) -> None:
    assert issubclass(writer, PlanWriter) and PlanWriter in writer.__mro__  # declared, not merely shaped alike
    for name in OPERATIONS:
        own = vars(writer).get(name)
        assert own is not None, f"{writer.__name__} leaves {name} to the protocol's empty body"
        assert list(inspect.signature(own).parameters) == list(inspect.signature(getattr(PlanWriter, name)).parameters)


class _Recorder:
    """A writer with the four operations and nothing else: any other attribute would raise."""

    __slots__ = ("calls",)

    def __init__(self) -> None:
        self.calls: list[tuple[object, ...]] = []

    def write_kpis(self, update: KpiUpdate) -> None:
        self.calls.append(("write_kpis", update.sheet))

    def write_sheet(self, spec: SheetSpec, later: tuple[SheetSpec, ...]) -> None:
        self.calls.append(("write_sheet", spec.name, tuple(s.name for s in later)))

    def append_log(self, spec: SheetSpec | None, entry: LogEntry | None) -> None:
        self.calls.append(("append_log", spec.name if spec else None, entry.values if entry else None))

    def done(self) -> str:
        self.calls.append(("done",))
        return "written"


def test_the_walk_calls_only_the_operations_in_the_plans_order() -> None:
    column = (ColumnSpec("Code"),)
    plan = Plan(kpis=KpiUpdate("KPIs", 1, (2, 3)),
                sheets=(SheetSpec("RAG key", column), SheetSpec("Benchmark", column)),
                log_sheet=SheetSpec("Log", column), log=LogEntry(("2026-12-07",)))
    recorder = _Recorder()
    assert isinstance(recorder, PlanWriter)
    assert write_plan(recorder, plan) == "written"
    assert recorder.calls == [("write_kpis", "KPIs"), ("write_sheet", "RAG key", ("Benchmark",)),
                              ("write_sheet", "Benchmark", ()), ("append_log", "Log", ("2026-12-07",)), ("done",)]


def test_the_walk_touches_the_writer_only_through_the_operations() -> None:
    tree = ast.parse(inspect.getsource(write_plan))
    used = {node.attr for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "writer"}
    assert used == set(OPERATIONS)


@pytest.mark.parametrize("door", [file_door.apply_plan, book_writer.apply_plan, web_batch.web_batch],
                         ids=lambda f: f.__module__.rsplit(".", 1)[-1])
def test_every_door_applies_a_plan_through_the_one_walk(door: object) -> None:
    tree = ast.parse(inspect.getsource(door))  # type: ignore[arg-type]
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert "write_plan" in called
    assert not called & {"_apply_kpis", "_write_kpis", "_kpis", "write_sheet", "_replace_sheet", "_sheet",
                         "_append_log", "_log"}
