"""Replay the remote engine's JSON actions onto an openpyxl copy of the workbook.

What Excel's Office.js client does with the actions, for the actions our
writer emits: values, number formats and sheets. Formatting-only actions
(fonts, widths, conditional formats) are counted, not drawn. This lets a test
look at the workbook *after* a web refresh, cell by cell.
"""

from __future__ import annotations

from typing import Any

from openpyxl.workbook.workbook import Workbook

__all__ = ["replay"]

_DRAWN_ELSEWHERE = {"setFontProperty", "setColumnWidth", "clearConditionalFormats", "addConditionalFormat",
                    "alert", "activateSheet", "setWrapText", "setRangeColor", "addTable", "addChart",
                    "setChartXAxisValues", "setChartTitle", "setScreenUpdating", "setChartAxis",
                    "setChartSeries"}


def replay(wb: Workbook, actions: list[dict[str, Any]]) -> dict[str, int]:
    skipped: dict[str, int] = {}
    for action in actions:
        func = action["func"]
        if func == "addSheet":
            position, name = action["args"][:2]
            wb.create_sheet(name, index=position)
        elif func == "sheetDelete":
            del wb[wb.worksheets[action["sheet_position"]].title]
        elif func in ("setValues", "setNumberFormat"):
            ws = wb.worksheets[action["sheet_position"]]
            top, left = action["start_row"] + 1, action["start_column"] + 1
            for r in range(action["row_count"]):
                for c in range(action["column_count"]):
                    cell = ws.cell(top + r, left + c)
                    if func == "setValues":
                        value = action["values"][r][c]
                        if value == "":
                            value = None  # Office.js clears a cell set to ""
                        elif isinstance(value, str) and value.startswith("'"):
                            value = value[1:]  # Excel's text prefix is not part of the value
                        cell.value = value
                    else:
                        cell.number_format = action["args"][0]
        elif func in _DRAWN_ELSEWHERE:
            skipped[func] = skipped.get(func, 0) + 1
        else:
            raise AssertionError(f"the writer emitted an action the replay does not know: {func}")
    return skipped
