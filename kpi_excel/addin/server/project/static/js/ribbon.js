// kpi_excel's ribbon buttons (replaces xlwings Server's static/js/ribbon.js).
// The manifest's <FunctionName> values are associated here with a script call.
// Which sheets are sent comes from the script's own @script(include=...) metadata,
// so Python stays the single place that says what a script reads.

function kpiConfig() {
  const element = document.getElementById("config");
  return element ? JSON.parse(element.textContent) : { appPath: "" };
}

async function kpiScriptInclude(scriptName) {
  const url =
    window.location.origin + kpiConfig().appPath + "/xlwings/custom-scripts-meta.json";
  try {
    const response = await fetch(url);
    const meta = await response.json();
    const entry = meta.find((item) => item.function_name === scriptName);
    if (entry && entry.include) return entry.include;
  } catch (error) {
    console.error("Could not read the scripts' metadata:", error);
  }
  return "KPIs,Settings";
}

// Excel on the web refuses any one request or response over 5 MB
// (Microsoft: "Resource limits and performance optimization for Office
// Add-ins"). xlwings Server's runPython reads every included sheet in one
// call, so the Data sheet, the one that grows, is read here a chunk at a time
// and sent beside the workbook as the script's argument.
const KPI_CHUNK_CELLS = 40000; // ~1 MB of values and number formats a call
const KPI_MAX_DATA_CELLS = 1000000; // the server's limit (README: Limits)
const KPI_TITLE = "KPI Report";

class KpiStop extends Error {} // a refusal the officer reads as is

function kpiAlertAction(text, title, mode) {
  return { func: "alert", args: [text, title, "ok", mode, ""] };
}

// Alerts go through xlwings Server's own alert action, so they look like every other.
async function kpiAlert(context, text, title, mode) {
  await xlwings.runActions({ actions: [kpiAlertAction(text, title, mode)] }, context);
}

function kpiSameName(a, b) {
  return String(a).trim().toLowerCase() === String(b).trim().toLowerCase();
}

// A number format that shows a date or time: the client sends such a cell as
// ISO text, as xlwings Server's own convertDateValues does for included sheets.
function kpiIsDateFormat(format) {
  if (typeof format !== "string" || format === "General") return false;
  const bare = format.replace(/"[^"]*"/g, "").replace(/\[[^\]]*\]/g, "").replace(/\\./g, "");
  return /[dmyhs]/i.test(bare.replace(/E[+-]/gi, ""));
}

function kpiIsoDate(serial) {
  return new Date(Math.round((serial - 25569) * 86400000)).toISOString();
}

async function kpiReadData(sheetName) {
  return await Excel.run(async (context) => {
    const sheets = context.workbook.worksheets.load("items/name");
    await context.sync();
    const sheet = sheets.items.find((item) => kpiSameName(item.name, sheetName));
    if (!sheet) return null;
    const used = sheet.getUsedRangeOrNullObject(true).load("rowIndex,rowCount,columnIndex,columnCount");
    await context.sync();
    if (used.isNullObject) return { sheet: sheet.name, rows: [] };
    const rowCount = used.rowIndex + used.rowCount;
    const columnCount = used.columnIndex + used.columnCount;
    if (rowCount * columnCount > KPI_MAX_DATA_CELLS) {
      throw new KpiStop(
        `The ${sheet.name} sheet reaches row ${rowCount} and column ${columnCount} ` +
          `(${(rowCount * columnCount).toLocaleString("en-GB")} cells); the web add-in reads at most ` +
          `${KPI_MAX_DATA_CELLS.toLocaleString("en-GB")}. Move older periods to another workbook, or ` +
          "refresh with the desktop add-in or kpi-excel refresh. Nothing was changed.",
      );
    }
    const chunkRows = Math.max(1, Math.floor(KPI_CHUNK_CELLS / columnCount));
    const rows = [];
    for (let top = 0; top < rowCount; top += chunkRows) {
      const count = Math.min(chunkRows, rowCount - top);
      const range = sheet.getRangeByIndexes(top, 0, count, columnCount).load("values,numberFormat");
      await context.sync();
      range.values.forEach((row, r) => {
        rows.push(
          row.map((value, c) =>
            typeof value === "number" && kpiIsDateFormat(range.numberFormat[r][c]) ? kpiIsoDate(value) : value,
          ),
        );
      });
    }
    return { sheet: sheet.name, rows: rows };
  });
}

async function kpiRun(scriptName, event) {
  try {
    // Registered here, not at load: xlwings' module (re)creates its callbacks table when it loads.
    xlwings.registerCallback(kpiApplyRefresh);
    const authResult =
      typeof globalThis.getAuth === "function"
        ? await globalThis.getAuth()
        : { token: "", provider: "" };
    let data;
    try {
      data = await kpiReadData("Data");
    } catch (error) {
      const text = error instanceof KpiStop ? error.message : "Could not read the Data sheet: " + error.message;
      await xlwings.runActions({ actions: [kpiAlertAction(text, KPI_TITLE + ": nothing was changed", "critical")] });
      return;
    }
    await xlwings.runPython({
      scriptName: scriptName,
      include: await kpiScriptInclude(scriptName),
      auth: authResult.token,
      headers: { "Auth-Provider": authResult.provider },
      args: [data],
    });
  } finally {
    event.completed();
  }
}

// ---- Applying a refresh: the batch kpi_excel/workbook/web_batch.py builds ----
// One Excel.run (xlwings' own, passed in by its runMacro action): two syncs to
// look, then the writes, then the charts. Nothing is written unless the KPIs
// rows are still the ones the server rated.

const KPI_WRITE_CELLS = 40000; // cells queued before a sync: keeps each request well under 5 MB

function kpiSameValue(expected, actual) {
  if (expected === null) return true; // not compared (a date)
  if (typeof expected === "number" && typeof actual === "number") return Math.abs(expected - actual) < 1e-9;
  return String(expected).trim() === String(actual === null || actual === undefined ? "" : actual).trim();
}

function kpiGuardHolds(guard, ranges) {
  return guard.cells.every((cell, i) =>
    cell.values.every((row, r) =>
      row.every((value, c) => kpiSameValue(value, (ranges[i].values[r] || [])[c])),
    ),
  );
}

function kpiMarkedSheet(names, marker, sheets) {
  const item = names.items.find((n) => kpiSameName(n.name, marker));
  if (!item) return { name: null, sheet: null };
  const match = /^=?(?:'((?:[^']|'')+)'|([^!']+))!/.exec(item.formula || "");
  const target = match ? (match[1] !== undefined ? match[1].replace(/''/g, "'") : match[2]) : null;
  const sheet = target === null ? null : sheets.items.find((s) => s.name === target) || null;
  return { name: item, sheet: sheet };
}

function kpiLooksOurs(look, prefix, headers) {
  if (look.used.isNullObject) return true; // an empty sheet holds nothing to lose
  const first = String(look.a1.values[0][0]).trim();
  if (prefix) return first.startsWith(prefix);
  return headers ? first === headers[0] : false;
}

// Which sheet each part of the batch goes to: ours by marker, else a sheet
// of our name that looks like ours, else a new one (beside the officer's own).
function kpiCandidates(part, sheets, names) {
  const marked = kpiMarkedSheet(names, part.marker, sheets);
  const byName = [part.name, part.beside].map(
    (wanted) => sheets.items.find((s) => kpiSameName(s.name, wanted)) || null,
  );
  return { part: part, marked: marked, byName: byName };
}

function kpiLook(sheet) {
  return {
    a1: sheet.getRange("A1").load("values"),
    used: sheet.getUsedRangeOrNullObject(false).load("address"),
    charts: sheet.charts.load("items/name"),
    tables: sheet.tables.load("items/name"),
  };
}

function kpiChoose(candidate, looks, prefix, headers) {
  if (candidate.marked.sheet) return { sheet: candidate.marked.sheet, existing: true, name: candidate.marked.sheet.name };
  const wanted = [candidate.part.name, candidate.part.beside];
  for (let i = 0; i < wanted.length; i += 1) {
    const sheet = candidate.byName[i];
    if (!sheet) return { sheet: null, existing: false, name: wanted[i] };
    if (kpiLooksOurs(looks.get(sheet.name), prefix, headers)) return { sheet: sheet, existing: true, name: sheet.name };
  }
  return null; // both names are the officer's
}

function kpiSetValues(sheet, blocks, queue) {
  for (const block of blocks) {
    sheet.getRange(block.address).values = block.values;
    queue.cells += block.values.length * (block.values[0] || []).length;
  }
}

// One entry a column block: `format` shared by every cell, or `formats` a cell (null: left as it is).
function kpiSetFormats(sheet, formats, queue) {
  for (const item of formats) {
    const row = new Array(item.columns).fill(item.format);
    sheet.getRange(item.address).numberFormat = item.formats || new Array(item.rows).fill(row);
    queue.cells += item.rows * item.columns;
  }
}

function kpiAddRules(sheet, groups) {
  for (const group of groups) {
    const range = sheet.getRange(group.address);
    range.conditionalFormats.clearAll();
    for (const rule of group.rules) {
      if (rule.kind === "arrows") {
        const format = range.conditionalFormats.add("IconSet");
        format.iconSet.style = "ThreeArrowsGray";
        format.iconSet.criteria = [
          {},
          { type: "Number", operator: "GreaterThanOrEqual", formula: "=0" },
          { type: "Number", operator: "GreaterThanOrEqual", formula: "=0.000000001" },
        ];
      } else {
        const format = range.conditionalFormats.add("Custom");
        format.custom.rule.formula = rule.formula;
        if (rule.fill) format.custom.format.fill.color = rule.fill;
        if (rule.font) format.custom.format.font.color = rule.font;
        if (rule.bold) format.custom.format.font.bold = true;
      }
    }
  }
}

async function kpiFlush(context, queue) {
  if (queue.cells >= KPI_WRITE_CELLS) {
    await context.sync();
    queue.cells = 0;
  }
}

function kpiMark(context, names, marker, sheet) {
  const stale = names.items.find((n) => kpiSameName(n.name, marker));
  if (stale) stale.delete();
  const item = context.workbook.names.add(marker, sheet.getRange("A1"), "kpi_excel: this sheet is the report's own");
  item.visible = false;
}

function kpiDrawChart(sheet, spec) {
  const chart = sheet.charts.add(spec.type, sheet.getRange(spec.source), spec.series_by);
  chart.setPosition(spec.anchor);
  chart.width = spec.width;
  chart.height = spec.height;
  chart.title.text = spec.title;
  if (spec.categories) chart.series.getItemAt(0).setXAxisValues(sheet.getRange(spec.categories));
  if (spec.value_axis_title) chart.axes.valueAxis.title.text = spec.value_axis_title;
  if (spec.value_axis_max !== null) chart.axes.valueAxis.maximum = spec.value_axis_max;
  if (spec.category_axis_title) chart.axes.categoryAxis.title.text = spec.category_axis_title;
  spec.series.forEach((style, i) => {
    const series = chart.series.getItemAt(i);
    series.chartType = style.type;
    if (style.colour && style.type === "XYScatterLinesNoMarkers") series.format.line.color = style.colour;
    if (style.colour && style.type !== "XYScatterLinesNoMarkers") {
      series.markerBackgroundColor = style.colour;
      series.markerForegroundColor = style.colour;
    }
  });
}

async function kpiApplyRefresh(context, batch) {
  const failed = KPI_TITLE + ": nothing was changed";
  if (!batch || batch.version !== 1) {
    await kpiAlert(context, "This add-in page is out of date: close and reopen the workbook, then press the " +
      "button again. Nothing was changed.", failed, "critical");
    return;
  }
  const book = context.workbook;
  const sheets = book.worksheets.load("items/name,items/position");
  const names = book.names.load("items/name,items/formula");
  await context.sync(); // look 1: the sheets and the names

  const kpis = sheets.items.find((s) => s.name === batch.guard.sheet);
  const parts = batch.sheets.concat(batch.log ? [batch.log] : []);
  const candidates = parts.map((part) => kpiCandidates(part, sheets, names));
  const looks = new Map();
  for (const candidate of candidates) {
    for (const sheet of [candidate.marked.sheet].concat(candidate.byName)) {
      if (sheet && !looks.has(sheet.name)) looks.set(sheet.name, kpiLook(sheet));
    }
  }
  const guardRanges = kpis ? batch.guard.cells.map((cell) => kpis.getRange(cell.address).load("values")) : [];
  await context.sync(); // look 2: the KPIs rows as they are now, and our sheets

  if (!kpis || !kpiGuardHolds(batch.guard, guardRanges)) {
    await kpiAlert(context, batch.changed, failed, "warning");
    return;
  }

  const notes = [];
  const queue = { cells: 0 };
  const charts = [];
  try {
    // The KPIs sheet: computed columns only.
    const part = batch.kpis;
    if (part.add_columns) {
      if (part.add_columns.table) {
        const table = kpis.tables.getItem(part.add_columns.table);
        for (const header of part.add_columns.headers) table.columns.add(null, null, header);
      } else {
        const header = kpis.getRange(part.add_columns.address);
        header.values = [part.add_columns.headers];
        header.format.font.bold = true;
      }
    }
    kpiSetValues(kpis, part.blocks, queue);
    kpiSetFormats(kpis, part.formats, queue);
    kpiAddRules(kpis, part.rules);
    await kpiFlush(context, queue);

    // Our sheets, rewritten in place (references to them survive) or added.
    const kpisPosition = kpis.position;
    for (let i = 0; i < batch.sheets.length; i += 1) {
      const spec = batch.sheets[i];
      const chosen = kpiChoose(candidates[i], looks, spec.title_prefix, null);
      if (!chosen) {
        notes.push(`${spec.name} sheet not written: "${spec.name}" and "${spec.beside}" are sheets of your own; ` +
          "rename one to let the report write its own.");
        continue;
      }
      let sheet = chosen.sheet;
      if (chosen.existing) {
        const look = looks.get(sheet.name);
        look.tables.items.forEach((table) => table.delete());
        look.charts.items.forEach((chart) => chart.delete());
        if (!look.used.isNullObject) {
          const used = sheet.getRange(look.used.address.split("!").pop());
          used.conditionalFormats.clearAll();
          used.clear();
        }
      } else {
        sheet = sheets.add(chosen.name);
        const placed = batch.after_kpis.indexOf(spec.name);
        if (placed >= 0) sheet.position = kpisPosition + 1 + placed;
        if (chosen.name !== spec.name) notes.push(`Your own "${spec.name}" sheet was left as it is; the report's is "${chosen.name}".`);
      }
      if (!candidates[i].marked.sheet) kpiMark(context, names, spec.marker, sheet);
      kpiSetValues(sheet, spec.blocks, queue);
      kpiSetFormats(sheet, spec.formats, queue);
      spec.bold.forEach((address) => (sheet.getRange(address).format.font.bold = true));
      spec.widths.forEach((width) => (sheet.getRange(width.address).format.columnWidth = width.points));
      if (spec.table) {
        const table = sheet.tables.add(spec.table.address, true);
        table.name = spec.table.name;
        table.style = spec.table.style;
      }
      kpiAddRules(sheet, spec.rules);
      spec.charts.forEach((chart) => charts.push([sheet, chart]));
      await kpiFlush(context, queue);
    }

    // The Log: one new row under the last one there is now.
    if (batch.log) {
      const log = batch.log;
      const chosen = kpiChoose(candidates[candidates.length - 1], looks, "", log.headers);
      if (!chosen) {
        notes.push(`Log not written: "${log.name}" and "${log.beside}" are sheets of your own.`);
      } else {
        let sheet = chosen.sheet;
        let row = 1;
        if (chosen.existing) {
          const used = looks.get(sheet.name).used;
          if (!used.isNullObject) {
            const last = /(\d+)$/.exec(used.address.split("!").pop().split(":").pop());
            row = last ? Number(last[1]) + 1 : 1;
          }
        } else {
          sheet = sheets.add(chosen.name);
        }
        if (!candidates[candidates.length - 1].marked.sheet) kpiMark(context, names, log.marker, sheet);
        if (row === 1) {
          const header = sheet.getRangeByIndexes(0, 0, 1, log.headers.length);
          header.values = [log.headers];
          header.format.font.bold = true;
          row = 2;
        }
        sheet.getRangeByIndexes(row - 1, 0, 1, log.values.length).values = [log.values];
        log.formats.forEach((format, c) => {
          if (format) sheet.getRangeByIndexes(row - 1, c, 1, 1).numberFormat = [[format]];
        });
      }
    }
    await context.sync(); // the writes
  } catch (error) {
    await kpiAlert(context, "The report could not be written completely (" + (error.message || error) + "). " +
      "Press Refresh KPIs again; if it happens again, tell your administrator.", KPI_TITLE, "critical");
    return;
  }

  // Charts last, in their own sync: if Excel refuses one, the figures are already whole.
  if (charts.length) {
    try {
      charts.forEach(([sheet, chart]) => kpiDrawChart(sheet, chart));
      await context.sync();
    } catch (error) {
      notes.push("Some charts could not be drawn in Excel on the web (" + (error.message || error) + ").");
    }
  }
  const message = batch.message;
  await kpiAlert(context, notes.length ? message.text + "\n\n" + notes.join("\n") : message.text,
    message.title, message.mode);
}

Office.actions.associate("refresh-kpis", (event) => kpiRun("refresh_kpis", event));
Office.actions.associate("check-inputs", (event) => kpiRun("check_inputs", event));

// Committee paper: xlwings Server scripts can only answer with workbook actions, so this
// button sends the workbook's own file (as Excel holds it) to the server's /kpi/paper
// endpoint, signed in like a script call, and opens the one-time download link it returns.
function kpiDocumentBytes() {
  return new Promise((resolve, reject) => {
    Office.context.document.getFileAsync(Office.FileType.Compressed, { sliceSize: 4194304 }, (result) => {
      if (result.status !== Office.AsyncResultStatus.Succeeded) {
        reject(new Error(result.error.message));
        return;
      }
      const file = result.value;
      const parts = [];
      const next = (index) => {
        file.getSliceAsync(index, (slice) => {
          if (slice.status !== Office.AsyncResultStatus.Succeeded) {
            file.closeAsync();
            reject(new Error(slice.error.message));
            return;
          }
          parts.push(new Uint8Array(slice.value.data));
          if (index + 1 < file.sliceCount) {
            next(index + 1);
          } else {
            file.closeAsync();
            resolve(new Blob(parts, { type: "application/octet-stream" }));
          }
        });
      };
      next(0);
    });
  });
}

async function kpiPackPaper(event) {
  try {
    xlwings.showGlobalStatus("Making the committee paper...");
    const authResult =
      typeof globalThis.getAuth === "function"
        ? await globalThis.getAuth()
        : { token: "", provider: "" };
    const name = (await xlwings.getActiveBookName()) || "workbook.xlsx";
    const url =
      window.location.origin + kpiConfig().appPath + "/kpi/paper?name=" + encodeURIComponent(name);
    const response = await fetch(url, {
      method: "POST",
      headers: {
        Authorization: authResult.token,
        "Auth-Provider": authResult.provider,
        "Content-Type": "application/octet-stream",
      },
      body: await kpiDocumentBytes(),
    });
    const answer = await response.json().catch(() => ({ detail: response.statusText }));
    if (!response.ok) {
      xlwings.showGlobalError("Committee paper: " + (answer.detail || response.status));
      return;
    }
    const link = window.location.origin + answer.download;
    if (Office.context.ui && typeof Office.context.ui.openBrowserWindow === "function") {
      Office.context.ui.openBrowserWindow(link);
    } else {
      window.open(link, "_blank");
    }
    xlwings.showGlobalStatus(answer.message);
  } catch (error) {
    xlwings.showGlobalError("Committee paper: " + error.message);
  } finally {
    event.completed();
  }
}

Office.actions.associate("pack-paper", kpiPackPaper);
