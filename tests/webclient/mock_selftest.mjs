// Checks that excel_mock.mjs keeps Office.js' rules (run by test_excel_mock.py).
// Prints one JSON object: {check name: "ok" | failure text}.

import { installExcel } from "./excel_mock.mjs";

const results = {};
const model = {
  name: "Book.xlsx",
  sheets: [
    { name: "KPIs", cells: { A1: { v: "Code" }, B1: { v: "Value" }, A2: { v: "SC01" }, B2: { v: 0.5, nf: "0%" },
                             C3: { v: 45000, nf: "yyyy-mm-dd" } } },
    { name: "RAG key", cells: {} },
  ],
  names: [],
};

async function check(name, f) {
  installExcel(structuredClone(model));
  try {
    await f(globalThis.__excelMock);
    results[name] = "ok";
  } catch (error) {
    results[name] = `${error?.code || ""} ${error?.stack || error}`;
  }
}
function expect(condition, what) {
  if (!condition) throw new Error(`expected ${what}`);
}
async function rejects(promiseOrFn, code) {
  try {
    await (typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn);
  } catch (error) {
    expect(error.code === code, `error ${code}, got ${error.code}: ${error.message}`);
    return;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

await check("reading before load and sync throws PropertyNotLoaded", async () => {
  await Excel.run(async (context) => {
    const range = context.workbook.worksheets.getItem("KPIs").getRange("A1:B2");
    await rejects(() => range.values, "PropertyNotLoaded");
    range.load("values");
    await rejects(() => range.values, "PropertyNotLoaded"); // loaded only at sync
    await context.sync();
    expect(JSON.stringify(range.values) === JSON.stringify([["Code", "Value"], ["SC01", 0.5]]), "values after sync");
    await rejects(() => range.numberFormat, "PropertyNotLoaded"); // not loaded
  });
});

await check("writes are queued and applied in order at sync", async ({ book, recorder }) => {
  await Excel.run(async (context) => {
    const sheet = context.workbook.worksheets.getItem("KPIs");
    const cell = sheet.getRange("D1");
    cell.values = [["first"]];
    cell.values = [["second"]];
    expect(book.sheets[0].cell(0, 3) === undefined, "nothing written before sync");
    const read = sheet.getRange("D1").load("values");
    await context.sync();
    expect(read.values[0][0] === "second", "the later write wins and a later load sees it");
  });
  expect(recorder.syncs.length === 1, `one round trip, got ${recorder.syncs.length}`);
});

await check("every sync is counted with its request and response sizes", async ({ recorder }) => {
  await Excel.run(async (context) => {
    const sheet = context.workbook.worksheets.getItem("KPIs");
    sheet.getRange("A10:B10").values = [["x".repeat(1000), 1]];
    await context.sync();
    sheet.getRange("A10:B10").load("values");
    await context.sync();
    await context.sync(); // nothing queued: no round trip
  });
  // 3 calls in the callback + the one Excel.run makes when the callback settles; 2 carried work.
  expect(recorder.syncCalls === 4 && recorder.syncs.length === 2, `4 calls / 2 round trips, got ${recorder.syncCalls}/${recorder.syncs.length}`);
  expect(recorder.syncs[0].requestBytes > 1000 && recorder.syncs[0].responseBytes < 100, "write: big request, small response");
  expect(recorder.syncs[1].responseBytes > 1000, "read: big response");
});

await check("a failing operation rejects the sync, keeps earlier ones and drops later ones", async ({ book }) => {
  await Excel.run(async (context) => {
    const sheets = context.workbook.worksheets;
    sheets.getItem("KPIs").getRange("E1").values = [["kept"]];
    sheets.getItem("Nope").getRange("A1").values = [["x"]];
    sheets.getItem("KPIs").getRange("F1").values = [["dropped"]];
    await rejects(context.sync(), "ItemNotFound");
  }).catch(() => {});
  expect(book.sheets[0].cell(0, 4).v === "kept" && book.sheets[0].cell(0, 5) === undefined, "E1 kept, F1 dropped");
});

await check("OrNullObject: isNullObject after sync", async () => {
  await Excel.run(async (context) => {
    const missing = context.workbook.worksheets.getItemOrNullObject("xlwings.conf");
    const present = context.workbook.worksheets.getItemOrNullObject("kpis"); // names are case-insensitive
    await rejects(() => missing.isNullObject, "PropertyNotLoaded");
    await context.sync();
    expect(missing.isNullObject === true && present.isNullObject === false, "null / not null");
    const empty = context.workbook.worksheets.getItem("RAG key").getUsedRangeOrNullObject(true).load("address");
    await context.sync();
    expect(empty.isNullObject, "an empty sheet has a null used range");
  });
});

await check("values semantics: empty, numbers, dates, apostrophe, typed strings, formulas", async ({ book }) => {
  await Excel.run(async (context) => {
    const sheet = context.workbook.worksheets.getItem("KPIs");
    sheet.getRange("A5:F5").values = [["'0012", "0012", "50%", "", "=A2", "2022-09-30"]];
    sheet.getRange("B2").values = [[""]];
    const r = sheet.getRange("A5:F5").load("values, numberFormat");
    const c3 = sheet.getRange("C3").load("values, numberFormat");
    const b2 = sheet.getRange("B2").load("values");
    await context.sync();
    const [v] = r.values;
    expect(v[0] === "0012" && v[1] === 12 && v[2] === 0.5 && v[3] === "" && v[4] === "=A2", `values ${JSON.stringify(v)}`);
    expect(v[5] === 44834 && r.numberFormat[0][5] === "yyyy-mm-dd", `date ${v[5]} ${r.numberFormat[0][5]}`);
    expect(r.numberFormat[0][2] === "0%", "a typed percentage gets a % format");
    expect(c3.values[0][0] === 45000, "dates read as serial numbers");
    expect(b2.values[0][0] === "", "setting '' clears");
  });
  expect(book.sheets[0].cell(4, 4).f === "=A2", "the formula is stored");
});

await check("matrix setters: exact size, a single value or a 1x1 matrix; else InvalidArgument", async ({ book }) => {
  await Excel.run(async (context) => {
    const sheet = context.workbook.worksheets.getItem("KPIs");
    sheet.getRange("A20:B21").numberFormat = [["0.0%"]];
    await context.sync();
    sheet.getRange("A20:B21").values = [[1, 2]];
    await rejects(context.sync(), "InvalidArgument");
  });
  expect(book.sheets[0].cell(20, 1).nf === "0.0%", "1x1 format applied to all cells");
});

await check("worksheets: add at the end, position, delete, names quoted as Excel quotes them", async ({ book }) => {
  await Excel.run(async (context) => {
    const sheets = context.workbook.worksheets;
    const added = sheets.add("Benchmark");
    added.position = 0;
    const named = context.workbook.names.add("kpi_excel_benchmark", added.getRange("A1"), "ours");
    named.visible = false;
    context.workbook.names.add("kpi_excel_key", sheets.getItem("RAG key").getRange("A1:B2"));
    const names = context.workbook.names.load("items/name,items/formula,items/visible");
    sheets.load("items/name,items/position");
    await context.sync();
    expect(sheets.items.map((s) => s.name).join() === "Benchmark,KPIs,RAG key", "order");
    const formulas = Object.fromEntries(names.items.map((n) => [n.name, [n.formula, n.visible]]));
    expect(formulas.kpi_excel_benchmark[0] === "=Benchmark!$A$1" && formulas.kpi_excel_benchmark[1] === false, JSON.stringify(formulas));
    expect(formulas.kpi_excel_key[0] === "='RAG key'!$A$1:$B$2", JSON.stringify(formulas));
    sheets.add("benchmark");
    await rejects(context.sync(), "ItemAlreadyExists");
    sheets.getItem("Benchmark").delete();
    const after = context.workbook.names.getItemOrNullObject("kpi_excel_benchmark").load("formula");
    await context.sync();
    expect(after.formula === "=#REF!$A$1", `a name on a deleted sheet becomes #REF!, got ${after.formula}`);
    context.workbook.names.getItem("kpi_excel_benchmark").delete();
    const gone = context.workbook.names.getItemOrNullObject("kpi_excel_benchmark");
    await context.sync();
    expect(gone.isNullObject, "deleted name");
  });
  expect(book.sheets.length === 2, "two sheets left");
});

await check("used range, indexes, formats, conditional formats", async ({ book }) => {
  await Excel.run(async (context) => {
    const sheet = context.workbook.worksheets.getItem("KPIs");
    const used = sheet.getUsedRangeOrNullObject(true).load("address,rowIndex,columnIndex,rowCount,columnCount");
    await context.sync();
    expect(used.address === "KPIs!A1:C3" && used.rowCount === 3 && used.columnCount === 3, used.address);
    const block = sheet.getRangeByIndexes(1, 0, 2, 2);
    block.format.font.bold = true;
    block.format.font.color = "#FF0000";
    block.format.fill.color = "#00FF00";
    block.format.columnWidth = 60;
    block.format.wrapText = true;
    const cf = block.conditionalFormats.add("Custom");
    cf.custom.rule.formula = '=$A2="SC01"';
    cf.custom.format.fill.color = "#FFC7CE";
    cf.custom.format.font.bold = true;
    const icons = sheet.getRange("B2:B3").conditionalFormats.add("IconSet");
    icons.iconSet.style = "ThreeTrafficLights1";
    icons.iconSet.criteria = [{}, { type: "Number", operator: "GreaterThanOrEqual", formula: "0.5" },
      { type: "Number", operator: "GreaterThanOrEqual", formula: "0.9" }];
    const fmt = block.format.load("columnWidth,wrapText");
    block.format.font.load("bold,color");
    await context.sync();
    expect(fmt.columnWidth === 60 && fmt.wrapText === true && block.format.font.bold === true, "formats");
    const list = block.conditionalFormats.load("items/type");
    await context.sync();
    expect(list.items.map((i) => i.type).join() === "IconSet,Custom", `new rules go on top: ${list.items.map((i) => i.type)}`);
    block.conditionalFormats.clearAll();
    block.clear();
    const cleared = block.load("values");
    await context.sync();
    expect(cleared.values.flat().every((v) => v === ""), "clear");
  });
  expect(book.sheets[0].conditionalFormats.length === 0, "rules cleared");
});

await check("tables and charts", async ({ book }) => {
  await Excel.run(async (context) => {
    const sheet = context.workbook.worksheets.getItem("KPIs");
    const table = sheet.tables.add("A1:B2", true);
    table.name = "kpi_table";
    table.style = "TableStyleLight9";
    sheet.tables.add("B2:C3", true);
    await rejects(context.sync(), "InvalidOperation"); // tables may not overlap
    const tables = sheet.tables.load("items/name");
    const chart = sheet.charts.add("Line", sheet.getRange("A1:B2"), "Rows");
    chart.title.text = "Trend";
    chart.setPosition("E2", "L20");
    chart.width = 300;
    chart.series.getItemAt(0).setXAxisValues(sheet.getRange("A1:A2"));
    chart.axes.valueAxis.title.text = "%";
    const charts = sheet.charts.load("items/name");
    await context.sync();
    expect(tables.items.map((t) => t.name).join() === "kpi_table", "table name");
    expect(charts.items.length === 1, "one chart");
    charts.items[0].delete();
    sheet.tables.getItem("kpi_table").delete();
    await context.sync();
  });
  expect(book.sheets[0].charts.length === 0 && book.sheets[0].tables.length === 0, "deleted");
});

await check("application, selection, unknown setters", async ({ book }) => {
  await Excel.run(async (context) => {
    const app = context.workbook.application.load("calculationMode");
    const selection = context.workbook.getSelectedRange().load("address");
    await context.sync();
    expect(app.calculationMode === "Automatic" && selection.address === "KPIs!A1", selection.address);
    let threw = false;
    try {
      context.workbook.worksheets.getItem("KPIs").getRange("A1").format.indentLevel = 2;
    } catch {
      threw = true;
    }
    expect(threw, "an Office.js member the mock lacks throws instead of vanishing");
  });
  void book;
});

await check("getSurroundingRegion is the current region", async () => {
  await Excel.run(async (context) => {
    const region = context.workbook.worksheets.getItem("KPIs").getRange("A1").getSurroundingRegion().load("address");
    await context.sync();
    expect(region.address === "KPIs!A1:C3", region.address);
  });
});

await check("a range on a deleted sheet is an invalid reference", async () => {
  await Excel.run(async (context) => {
    const sheet = context.workbook.worksheets.getItem("RAG key");
    const range = sheet.getRange("A1:B2").getRow(1).load("address");
    await context.sync();
    expect(range.address === "'RAG key'!A2:B2", range.address);
    sheet.delete();
    range.values = [["x", "y"]];
    await rejects(context.sync(), "InvalidReference");
  });
});

console.log(JSON.stringify(results));
