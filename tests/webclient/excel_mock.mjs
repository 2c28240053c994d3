// An in-memory Excel JavaScript API (Office.js semantics) for driving xlwings Server's own
// client in Node. Written from Microsoft's Excel JS API reference, member by member; only
// what xlwings Server's client (runPython/getBookData/runActions and the action handlers our
// server emits) and our ribbon.js call is here. Anything else is `undefined`, so a call the
// mock does not know fails loudly instead of passing silently.
//
// What makes it honest:
//  * proxies: a scalar property can be read only after load() + context.sync(), otherwise it
//    throws PropertyNotLoaded as Office.js does;
//  * every setter and method call is queued and applied, in order, at context.sync(); a failing
//    operation rejects the sync with a RichApi-like error, the ones before it stay applied and
//    the rest of the batch is dropped (Office.js does not roll back);
//  * every sync is counted, with the approximate size of its request (JSON of what was queued)
//    and of its response (JSON of what the loads returned), so tests can hold the 5 MB limit of
//    Excel on the web per request/response and benches can price a round trip.
//
// Where Office.js behaviour was uncertain, the stricter reading was chosen; each such place says so.

const MAX_ROWS = 1048576;
const MAX_COLS = 16384;

// ---------------------------------------------------------------- errors

export class OfficeError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "RichApi.Error";
    this.code = code;
    this.debugInfo = { code, message };
  }
}
const fail = (code, message) => {
  throw new OfficeError(code, message);
};

// ---------------------------------------------------------------- addresses

export function colName(index) {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}

function colIndex(letters) {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

// Excel quotes a sheet name in a reference unless it is a plain identifier that cannot be
// read as a cell (A1 or R1C1) reference.
export function quoteSheet(name) {
  const plain = /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) &&
    !/^[A-Za-z]{1,3}[0-9]+$/.test(name) && !/^[Rr]([0-9]*)[Cc]?([0-9]*)$/.test(name);
  return plain ? name : `'${name.replace(/'/g, "''")}'`;
}

// "A1", "$B$2:C3", "A:C", "2:5" -> {r, c, rows, cols} (0-based). Sheet-qualified addresses
// are for the caller to split off.
export function parseAddress(address) {
  const text = String(address).replace(/\$/g, "").trim().toUpperCase();
  const [first, last = first] = text.split(":");
  const cell = /^([A-Z]{1,3})([0-9]+)$/;
  const colOnly = /^([A-Z]{1,3})$/;
  const rowOnly = /^([0-9]+)$/;
  let m1 = first.match(cell), m2 = last.match(cell);
  if (m1 && m2) {
    const r1 = +m1[2] - 1, r2 = +m2[2] - 1, c1 = colIndex(m1[1]), c2 = colIndex(m2[1]);
    return box(Math.min(r1, r2), Math.min(c1, c2), Math.abs(r2 - r1) + 1, Math.abs(c2 - c1) + 1);
  }
  m1 = first.match(colOnly); m2 = last.match(colOnly);
  if (m1 && m2) {
    const c1 = colIndex(m1[1]), c2 = colIndex(m2[1]);
    return box(0, Math.min(c1, c2), MAX_ROWS, Math.abs(c2 - c1) + 1);
  }
  m1 = first.match(rowOnly); m2 = last.match(rowOnly);
  if (m1 && m2) {
    const r1 = +m1[1] - 1, r2 = +m2[1] - 1;
    return box(Math.min(r1, r2), 0, Math.abs(r2 - r1) + 1, MAX_COLS);
  }
  fail("InvalidArgument", `The argument is invalid or missing or has an incorrect format: '${address}'.`);
}

function box(r, c, rows, cols) {
  if (r < 0 || c < 0 || rows < 1 || cols < 1 || r + rows > MAX_ROWS || c + cols > MAX_COLS) {
    fail("InvalidArgument", "The argument is invalid or missing or has an incorrect format.");
  }
  return { r, c, rows, cols };
}

export function boxAddress({ r, c, rows, cols }, absolute = false) {
  const d = absolute ? "$" : "";
  if (r === 0 && rows === MAX_ROWS) return `${d}${colName(c)}:${d}${colName(c + cols - 1)}`;
  if (c === 0 && cols === MAX_COLS) return `${d}${r + 1}:${d}${r + rows}`;
  const first = `${d}${colName(c)}${d}${r + 1}`;
  if (rows === 1 && cols === 1) return first;
  return `${first}:${d}${colName(c + cols - 1)}${d}${r + rows}`;
}

const key = (r, c) => `${r},${c}`;
const within = (b, r, c) => r >= b.r && r < b.r + b.rows && c >= b.c && c < b.c + b.cols;
const intersects = (a, b) =>
  a.r < b.r + b.rows && b.r < a.r + a.rows && a.c < b.c + b.cols && b.c < a.c + a.cols;
const contains = (outer, inner) =>
  inner.r >= outer.r && inner.c >= outer.c &&
  inner.r + inner.rows <= outer.r + outer.rows && inner.c + inner.cols <= outer.c + outer.cols;

// ---------------------------------------------------------------- the workbook model

// A cell: {v: value as Office.js reads it ("" never stored), f?: formula text, nf?: number
// format (absent = "General"), bold?, italic?, color?, fill?, wrap?, halign?}.
// The JSON model (see client.py) keys cells by A1 address; in memory they are keyed "r,c".

let nextId = 1;

export class Book {
  constructor(model) {
    this.name = model.name || "Book1.xlsx";
    this.calculationMode = model.calculationMode || "Automatic";
    this.sheets = (model.sheets || []).map((s) => new Sheet(this, s));
    if (this.sheets.length === 0) this.sheets.push(new Sheet(this, { name: "Sheet1" }));
    this.active = this.sheets[model.active || 0] || this.sheets[0];
    this.selection = { sheet: this.active, box: parseAddress(model.selection || "A1") };
    this.names = (model.names || []).map((n) => ({ ...n, scope: null }));
    this.sheets.forEach((sheet, i) => {
      for (const n of (model.sheets[i] || {}).names || []) this.names.push({ ...n, scope: sheet });
    });
    this.chartCounter = 0;
    this.tableCounter = 0;
  }

  sheetByName(name) {
    // Excel's sheet names are case-insensitive.
    const lower = String(name).toLowerCase();
    return this.sheets.find((s) => s.name.toLowerCase() === lower) || null;
  }

  allTables() {
    return this.sheets.flatMap((s) => s.tables);
  }

  toJSON() {
    return {
      name: this.name,
      calculationMode: this.calculationMode,
      active: Math.max(0, this.sheets.indexOf(this.active)),
      selection: boxAddress(this.selection.box),
      sheets: this.sheets.map((s) => s.toJSON()),
      names: this.names.filter((n) => !n.scope).map(nameJSON),
    };
  }
}

function nameJSON(n) {
  const { name, formula, visible = true, comment = "" } = n;
  return { name, formula, visible, comment };
}

export class Sheet {
  constructor(book, model) {
    this.book = book;
    this.id = `{mock-sheet-${nextId++}}`;
    this.name = model.name;
    this.visibility = model.visibility || "Visible";
    this.showGridlines = model.showGridlines !== false;
    this.cells = new Map();
    for (const [address, cell] of Object.entries(model.cells || {})) {
      const { r, c } = parseAddress(address);
      this.cells.set(key(r, c), { ...cell });
    }
    this.columnWidths = new Map(); // column index -> points
    for (const [letters, points] of Object.entries(model.columnWidths || {})) {
      this.columnWidths.set(colIndex(letters), points);
    }
    this.tables = (model.tables || []).map((t) => ({
      id: `{mock-table-${nextId++}}`,
      sheet: this,
      name: t.name,
      box: parseAddress(t.ref),
      style: t.style ?? "TableStyleMedium2",
      showHeaders: t.showHeaders !== false,
      showTotals: !!t.showTotals,
      showFilterButton: t.showFilterButton !== false,
      highlightFirstColumn: !!t.highlightFirstColumn,
      highlightLastColumn: !!t.highlightLastColumn,
      showBandedRows: t.showBandedRows !== false,
      showBandedColumns: !!t.showBandedColumns,
    }));
    this.charts = (model.charts || []).map((c) => ({ ...c, sheet: this, series: c.series || [] }));
    this.conditionalFormats = (model.conditionalFormats || []).map((cf) => ({
      ...cf,
      box: parseAddress(cf.address),
    }));
    this.deleted = false;
  }

  cell(r, c) {
    return this.cells.get(key(r, c));
  }

  usedBox(valuesOnly) {
    let r0 = Infinity, c0 = Infinity, r1 = -1, c1 = -1;
    for (const [k, cell] of this.cells) {
      const hasValue = cell.f !== undefined || (cell.v !== undefined && cell.v !== "");
      if (!hasValue && (valuesOnly || Object.keys(cell).length === 0)) continue;
      const [r, c] = k.split(",").map(Number);
      r0 = Math.min(r0, r); c0 = Math.min(c0, c); r1 = Math.max(r1, r); c1 = Math.max(c1, c);
    }
    return r1 < 0 ? null : { r: r0, c: c0, rows: r1 - r0 + 1, cols: c1 - c0 + 1 };
  }

  toJSON() {
    const cells = {};
    const keys = [...this.cells.keys()].map((k) => k.split(",").map(Number));
    keys.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [r, c] of keys) {
      const cell = this.cells.get(key(r, c));
      if (Object.keys(cell).length) cells[`${colName(c)}${r + 1}`] = cell;
    }
    const columnWidths = {};
    for (const [c, w] of [...this.columnWidths].sort((a, b) => a[0] - b[0])) columnWidths[colName(c)] = w;
    return {
      name: this.name,
      visibility: this.visibility,
      showGridlines: this.showGridlines,
      cells,
      columnWidths,
      tables: this.tables.map((t) => ({
        name: t.name, ref: boxAddress(t.box), style: t.style, showHeaders: t.showHeaders,
        showTotals: t.showTotals,
      })),
      charts: this.charts.map(({ sheet, ...rest }) => rest),
      conditionalFormats: this.conditionalFormats.map(({ box: b, ...rest }) => ({ ...rest, address: boxAddress(b) })),
      names: this.book.names.filter((n) => n.scope === this).map(nameJSON),
    };
  }
}

// ---------------------------------------------------------------- cell semantics

// What Excel stores when a value is written through Range.values: strings are parsed as if
// typed (that is what Office.js does: "12" becomes the number 12, "50%" 0.5 shown as a
// percentage, "TRUE" a boolean, an ISO date a date serial), unless the cell is formatted as
// text ("@") or the string starts with an apostrophe. "" clears the value. A string starting
// with "=" is a formula: the mock does not calculate, it stores the formula and reads back
// the formula text as its value (a real Excel would read back the result).
export function writeCell(sheet, r, c, value) {
  writeValue(sheet, r, c, value);
}

function writeValue(sheet, r, c, value) {
  const k = key(r, c);
  const cell = { ...(sheet.cells.get(k) || {}) };
  delete cell.f;
  if (value === null || value === undefined) {
    // Office.js: null in a values matrix leaves that cell unchanged.
    return;
  }
  if (value === "") {
    delete cell.v;
  } else if (typeof value === "number" || typeof value === "boolean") {
    if (typeof value === "number" && !Number.isFinite(value)) fail("InvalidArgument", "Invalid number.");
    cell.v = value;
  } else if (typeof value === "string") {
    Object.assign(cell, parseTyped(value, cell.nf));
  } else {
    fail("InvalidArgument", `The argument is invalid or missing or has an incorrect format: ${JSON.stringify(value)}.`);
  }
  sheet.cells.set(k, cell);
}

function parseTyped(text, nf = "General") {
  if (nf === "@") return { v: text };
  if (text.startsWith("'")) return { v: text.slice(1) };
  if (text.startsWith("=") && text.length > 1) return { f: text, v: text };
  const t = text.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return { v: Number(t) };
  const pct = t.match(/^([+-]?(\d+\.?\d*|\.\d+))%$/);
  if (pct) {
    const decimals = (pct[1].split(".")[1] || "").length;
    return { v: Number(pct[1]) / 100, ...(nf === "General" ? { nf: decimals ? `0.${"0".repeat(decimals)}%` : "0%" } : {}) };
  }
  if (/^(true|false)$/i.test(t)) return { v: t.toLowerCase() === "true" };
  const iso = t.match(/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z)?$/);
  if (iso) {
    const [, y, mo, d, h = 0, mi = 0, s = 0] = iso;
    const serial = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s) / 86400000 + 25569;
    return { v: serial, ...(nf === "General" ? { nf: iso[4] ? "yyyy-mm-dd hh:mm:ss" : "yyyy-mm-dd" } : {}) };
  }
  // Locale-dependent forms (1/2/2023, "Sep 2022") are left as text: stricter than Excel,
  // which would turn some of them into dates depending on the officer's locale.
  return { v: text };
}

function readValue(sheet, r, c) {
  const cell = sheet.cell(r, c);
  return cell && cell.v !== undefined ? cell.v : "";
}

// Office.js accepts, for a setter of a matrix property, a matrix of the range's exact size,
// a single value, or a 1x1 matrix, which it applies to every cell (xlwings' setNumberFormat
// relies on the 1x1 form). Anything else throws.
function broadcast(value, b) {
  if (!Array.isArray(value)) return () => value;
  if (value.length === 1 && Array.isArray(value[0]) && value[0].length === 1) return () => value[0][0];
  if (value.length !== b.rows || value.some((row) => !Array.isArray(row) || row.length !== b.cols)) {
    fail("InvalidArgument",
      "The number of rows or columns in the input array doesn't match the size or dimensions of the range.");
  }
  return (i, j) => value[i][j];
}

function checkCellCount(b) {
  // Office.js refuses to read more than 5 million cells in one get.
  if (b.rows * b.cols > 5000000) fail("InvalidOperation", "The range is too large to read in one request.");
}

function matrix(b, f) {
  checkCellCount(b);
  const out = [];
  for (let i = 0; i < b.rows; i++) {
    const row = [];
    for (let j = 0; j < b.cols; j++) row.push(f(b.r + i, b.c + j));
    out.push(row);
  }
  return out;
}

function forCells(b, f) {
  checkCellCount(b);
  for (let i = 0; i < b.rows; i++) for (let j = 0; j < b.cols; j++) f(b.r + i, b.c + j, i, j);
}

function setCellProp(sheet, r, c, prop, value) {
  const k = key(r, c);
  const cell = { ...(sheet.cells.get(k) || {}) };
  if (value === null || value === undefined) delete cell[prop];
  else cell[prop] = value;
  sheet.cells.set(k, cell);
}

// A uniform value across the range, else null (Office.js' rule for format properties).
function uniform(b, f) {
  let first;
  let set = false;
  let same = true;
  forCells(b, (r, c) => {
    const v = f(r, c);
    if (!set) { first = v; set = true; } else if (v !== first) same = false;
  });
  return same ? first : null;
}

// ---------------------------------------------------------------- the request context

class Batch {
  constructor() {
    this.ops = [];
    this.requestBytes = 0;
  }
}

export class RequestContext {
  constructor(book, recorder) {
    this._book = book || globalThis.__excelMock.book;
    this._rec = recorder || globalThis.__excelMock.recorder;
    this._batch = new Batch();
    this.workbook = new Workbook(this, () => this._book);
    this.application = this.workbook.application;
  }

  _queue(bytes, run) {
    this._batch.ops.push(run);
    this._batch.requestBytes += bytes;
  }

  async sync() {
    const batch = this._batch;
    this._batch = new Batch();
    const rec = this._rec;
    rec.syncCalls += 1;
    if (batch.ops.length === 0) {
      // Office.js resolves a sync with nothing queued without going to Excel: no round trip.
      return;
    }
    const entry = { requestBytes: batch.requestBytes, responseBytes: 0, operations: batch.ops.length };
    rec.syncs.push(entry);
    if (rec.enforcePayloadLimit && entry.requestBytes > rec.payloadLimitBytes) {
      fail("RequestPayloadSizeLimitExceeded", "The request payload size has exceeded the limit.");
    }
    if (rec.latencyMs) await new Promise((resolve) => setTimeout(resolve, rec.latencyMs));
    try {
      for (const op of batch.ops) entry.responseBytes += op() || 0;
    } catch (error) {
      entry.error = error.code || error.message;
      throw error;
    }
    if (rec.enforcePayloadLimit && entry.responseBytes > rec.payloadLimitBytes) {
      fail("ResponsePayloadSizeLimitExceeded", "The response payload size has exceeded the limit.");
    }
  }
}

const jsonBytes = (v) => (v === undefined ? 0 : Buffer.byteLength(JSON.stringify(v)));
const clone = (v) => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

// ---------------------------------------------------------------- proxy objects

// A proxy stands for an object in Excel. `resolve` finds the model object when a queued
// operation first needs it (at sync time, in queue order) and the proxy keeps that identity,
// as Office.js' object paths do. `orNull`: a *OrNullObject proxy, null instead of throwing.
class ClientObject {
  constructor(ctx, resolve, { orNull = false, what = "item" } = {}) {
    this._ctx = ctx;
    this._resolveFn = resolve;
    this._orNull = orNull;
    this._what = what;
    this._loaded = Object.create(null);
    this._synced = false;
    this._entity = undefined;
    this._parent = null;
    // Real Office.js proxies are plain objects: assigning a member they do not have adds an
    // expando and is otherwise ignored. Here that would hide a member the mock lacks, and the
    // write it stands for would vanish from the result, so it throws instead.
    return new Proxy(this, {
      set(target, prop, value, receiver) {
        if (typeof prop === "string" && !prop.startsWith("_") && !(prop in target)) {
          const label = `${target.constructor.name}.${prop}`;
          ctx._rec?.unimplemented?.push(label);
          throw new TypeError(`excel_mock does not implement the setter ${label}`);
        }
        return Reflect.set(target, prop, value, receiver);
      },
    });
  }

  get context() {
    return this._ctx;
  }

  _target() {
    if (this._entity === undefined) {
      const found = this._resolveFn();
      this._entity = found ?? null;
    }
    if (this._entity && (this._entity.deleted || (this._entity.sheet && this._entity.sheet.deleted))) {
      fail("InvalidReference", `This ${this._what} has been deleted.`);
    }
    if (this._entity === null && !this._orNull && !(this._parent && this._parent._isNull())) {
      fail("ItemNotFound", `The requested resource doesn't exist (${this._what}).`);
    }
    return this._entity;
  }

  // A null object's navigation properties are null objects too (Office.js propagates them).
  _isNull() {
    return this._entity === null && (this._orNull || !!(this._parent && this._parent._isNull()));
  }

  // Queue the resolution itself: Office.js fails a sync whose getItem() finds nothing even
  // when nothing else is done with the proxy.
  _queueResolve() {
    this._ctx._queue(16, () => {
      this._target();
      this._synced = true;
      return 8;
    });
    return this;
  }

  get isNullObject() {
    if (!this._synced) throwNotLoaded("isNullObject");
    return this._entity === null;
  }

  _run(bytes, f) {
    this._ctx._queue(bytes, () => {
      const target = this._target();
      if (target === null) fail("ItemNotFound", `The ${this._what} doesn't exist (null object).`);
      return f(target);
    });
  }

  load(spec) {
    const { scalars, children } = parseLoad(spec);
    const self = this;
    const props = this.constructor._scalars || {};
    const names = scalars.length ? scalars : Object.keys(props);
    for (const [child, sub] of Object.entries(children)) {
      const proxy = this[child];
      if (proxy instanceof ClientObject) proxy.load(sub);
      else recordUnknown(this, child);
    }
    this._ctx._queue(16 + jsonBytes(names), () => {
      const target = self._target();
      self._synced = true;
      let bytes = 0;
      for (const name of names) {
        if (name in props) {
          const value = target === null ? null : clone(props[name].get(target, self));
          self._loaded[name] = value;
          bytes += jsonBytes(value) + name.length + 3;
        } else if (self[name] instanceof ClientObject) {
          // A navigation property named in load(): Office.js loads its scalar properties.
          self[name]._loadNow();
        } else {
          recordUnknown(self, name);
        }
      }
      return bytes;
    });
    return this;
  }

  // Immediate load of all scalars, used when a parent's load names this navigation property.
  _loadNow() {
    const target = this._target();
    this._synced = true;
    const props = this.constructor._scalars || {};
    for (const name of Object.keys(props)) {
      if (props[name].nav) continue;
      this._loaded[name] = target === null ? null : clone(props[name].get(target, this));
    }
  }

  toJSON() {
    return { ...this._loaded };
  }
}

function recordUnknown(obj, name) {
  // Office.js would reject a property that does not exist; the xlwings client loads a few
  // (Table "dataBodyRange") that are navigation methods, not properties, and works in real
  // Excel, so an unknown name is not an error here. It is recorded for the report.
  const rec = obj._ctx._rec;
  const label = `${obj.constructor.name}.${name}`;
  if (!rec.unknownLoads.includes(label)) rec.unknownLoads.push(label);
}

function throwNotLoaded(name) {
  fail("PropertyNotLoaded",
    `The property '${name}' is not available. Before reading the property's value, call the load ` +
    `method on the containing object and call "context.sync()" on the associated request context.`);
}

function parseLoad(spec) {
  let list = [];
  if (spec === undefined || spec === null) list = [];
  else if (typeof spec === "string") list = spec.split(",");
  else if (Array.isArray(spec)) list = spec.flatMap((s) => String(s).split(","));
  else if (typeof spec === "object") {
    list = [].concat(spec.select || []).flatMap((s) => String(s).split(","));
    for (const e of [].concat(spec.expand || []).flatMap((s) => String(s).split(","))) list.push(e);
  }
  const scalars = [];
  const children = {};
  for (const raw of list) {
    const item = raw.trim();
    if (!item) continue;
    const slash = item.indexOf("/");
    if (slash < 0) scalars.push(item);
    else {
      const head = item.slice(0, slash), rest = item.slice(slash + 1);
      (children[head] = children[head] || []).push(rest);
    }
  }
  return { scalars, children };
}

// Install scalar properties (read after load only; settable ones queue a set) on a class.
function define(cls, scalars) {
  cls._scalars = scalars;
  for (const [name, spec] of Object.entries(scalars)) {
    const descriptor = {
      configurable: true,
      get() {
        if (!(name in this._loaded)) throwNotLoaded(name);
        return this._loaded[name];
      },
    };
    if (spec.set) {
      descriptor.set = function (value) {
        const copy = clone(value);
        this._run(jsonBytes(copy) + name.length + 8, (target) => {
          // "null isn't valid for single properties like range.values or range.format.fill.color"
          // (Microsoft, "Blank and null values in Excel add-ins"); inside a 2-D array it means
          // "leave this cell unchanged", which the matrix setters handle.
          if (copy === null || copy === undefined) fail("InvalidArgument", `null is not a valid value for ${name}.`);
          spec.set(target, copy, this);
          return 0;
        });
        // Office.js keeps a value you set locally as well; the stricter reading (reading it
        // back needs a load) is what the mock does: drop any earlier loaded value.
        delete this._loaded[name];
      };
    }
    // A read-only property has a getter only: assigning to it throws in strict code
    // (modules) and is ignored in sloppy scripts, as with Office.js' own definitions.
    Object.defineProperty(cls.prototype, name, descriptor);
  }
}

// Navigation properties: a cached child proxy per parent proxy.
function nav(obj, name, make) {
  const slot = `_nav_${name}`;
  if (!obj[slot]) {
    obj[slot] = make();
    obj[slot]._parent = obj;
  }
  return obj[slot];
}

// ---------------------------------------------------------------- collections

class Collection extends ClientObject {
  // Subclasses: _list(target) -> array of model objects; _make(entity) -> item proxy.
  get items() {
    if (!this._itemsLoaded) throwNotLoaded("items");
    return this._itemsLoaded;
  }

  load(spec) {
    const { scalars, children } = parseLoad(spec);
    // "items/x" and plain "x" both name item properties ("count" is the collection's own).
    const itemSpec = [...(children.items || [])];
    const own = [];
    for (const s of scalars) {
      if (s === "count") own.push(s);
      else if (s !== "items") itemSpec.push(s);
    }
    for (const [child, sub] of Object.entries(children)) {
      if (child !== "items") itemSpec.push(...sub.map((x) => `${child}/${x}`));
    }
    const self = this;
    this._ctx._queue(16 + jsonBytes(scalars), () => {
      const target = self._target();
      self._synced = true;
      const list = target === null ? [] : self._list(target);
      let bytes = 0;
      self._loaded.count = list.length;
      // load("count") alone fetches the count, not the items.
      if (own.length === 0 || itemSpec.length || scalars.includes("items")) {
        self._itemsLoaded = list.map((entity) => {
          const item = self._make(entity);
          item._entity = entity;
          item._synced = true;
          bytes += item._fill(itemSpec);
          return item;
        });
      }
      return bytes + 8;
    });
    return this;
  }

  get count() {
    if (!("count" in this._loaded)) throwNotLoaded("count");
    return this._loaded.count;
  }

  getCount() {
    const result = { _value: undefined };
    this._run(16, (target) => {
      result._value = this._list(target).length;
      return 8;
    });
    return { get value() { if (result._value === undefined) throwNotLoaded("value"); return result._value; } };
  }

  getItemAt(index) {
    return this._make(null, () => this._list(this._target())[index] || null)._queueResolve();
  }
}

// Fill an item proxy's loaded values now (inside a collection load at sync time).
ClientObject.prototype._fill = function (spec) {
  const props = this.constructor._scalars || {};
  const { scalars, children } = parseLoad(spec);
  const names = scalars.length || Object.keys(children).length ? scalars : Object.keys(props);
  let bytes = 0;
  for (const name of names) {
    if (name in props) {
      this._loaded[name] = clone(props[name].get(this._entity, this));
      bytes += jsonBytes(this._loaded[name]) + name.length + 3;
    } else if (this[name] instanceof ClientObject) {
      this[name]._loadNow();
    } else recordUnknown(this, name);
  }
  for (const [child, sub] of Object.entries(children)) {
    const proxy = this[child];
    if (proxy instanceof Collection) {
      // nested collection path ("items/hierarchies/items/name"): load it now
      const list = proxy._list(proxy._target());
      proxy._synced = true;
      proxy._loaded.count = list.length;
      proxy._itemsLoaded = list.map((e) => { const p = proxy._make(e); p._entity = e; p._synced = true; bytes += p._fill(sub.map((s) => s.replace(/^items\//, ""))); return p; });
    } else if (proxy instanceof ClientObject) {
      proxy._synced = true;
      bytes += proxy._fill(sub);
    } else recordUnknown(this, child);
  }
  return bytes;
};

// ---------------------------------------------------------------- Workbook, Application

class Workbook extends ClientObject {
  constructor(ctx, resolve) {
    super(ctx, resolve, { what: "workbook" });
  }
  get worksheets() {
    return nav(this, "worksheets", () => new WorksheetCollection(this._ctx, () => this._target()));
  }
  get names() {
    return nav(this, "names", () => new NamedItemCollection(this._ctx, () => this._target(), null));
  }
  get application() {
    return nav(this, "application", () => new Application(this._ctx, () => this._target()));
  }
  get tables() {
    return nav(this, "tables", () => new TableCollection(this._ctx, () => ({ book: this._target() })));
  }
  getSelectedRange() {
    return new Range(this._ctx, () => {
      const sel = this._target().selection;
      return { sheet: sel.sheet, box: sel.box };
    })._queueResolve();
  }
  getActiveCell() {
    return new Range(this._ctx, () => {
      const sel = this._target().selection;
      return { sheet: sel.sheet, box: { r: sel.box.r, c: sel.box.c, rows: 1, cols: 1 } };
    })._queueResolve();
  }
}
define(Workbook, { name: { get: (b) => b.name } });

class Application extends ClientObject {
  get cultureInfo() {
    return nav(this, "cultureInfo", () => new CultureInfo(this._ctx, () => this._target()));
  }
  calculate() {
    this._run(16, () => 0);
  }
  suspendScreenUpdatingUntilNextSync() {
    this._run(16, () => 0);
  }
}
define(Application, {
  calculationMode: {
    get: (b) => b.calculationMode,
    set: (b, v) => {
      if (!["Automatic", "AutomaticExceptTables", "Manual"].includes(v)) fail("InvalidArgument", `Invalid calculation mode ${v}`);
      b.calculationMode = v;
    },
  },
});

class CultureInfo extends ClientObject {
  get datetimeFormat() {
    return nav(this, "dt", () => new DatetimeFormat(this._ctx, () => this._target()));
  }
}
define(CultureInfo, { name: { get: () => "en-GB" } });
class DatetimeFormat extends ClientObject {}
define(DatetimeFormat, { shortDatePattern: { get: () => "dd/MM/yyyy" } });

// ---------------------------------------------------------------- worksheets

function checkSheetName(book, name, except = null) {
  if (typeof name !== "string" || name.length === 0 || name.length > 31 || /[\\/?*[\]:]/.test(name) ||
      name.startsWith("'") || name.endsWith("'")) {
    fail("InvalidArgument", `The sheet name '${name}' is not valid.`);
  }
  const other = book.sheetByName(name);
  if (other && other !== except) fail("ItemAlreadyExists", `A sheet named '${name}' already exists.`);
}

class WorksheetCollection extends Collection {
  constructor(ctx, resolveBook) {
    super(ctx, resolveBook, { what: "worksheets" });
  }
  _list(book) {
    return book.sheets;
  }
  _make(entity, resolve) {
    return new Worksheet(this._ctx, resolve || (() => entity));
  }
  getItem(name) {
    return new Worksheet(this._ctx, () => this._target().sheetByName(name), { what: `worksheet '${name}'` })._queueResolve();
  }
  getItemOrNullObject(name) {
    return new Worksheet(this._ctx, () => this._target().sheetByName(name), { orNull: true })._queueResolve();
  }
  getActiveWorksheet() {
    return new Worksheet(this._ctx, () => this._target().active)._queueResolve();
  }
  getFirst() {
    return new Worksheet(this._ctx, () => this._target().sheets[0])._queueResolve();
  }
  add(name) {
    const proxy = new Worksheet(this._ctx, () => null);
    this._run(32 + jsonBytes(name), (book) => {
      let newName = name;
      if (newName === undefined || newName === null) {
        let i = book.sheets.length + 1;
        while (book.sheetByName(`Sheet${i}`)) i++;
        newName = `Sheet${i}`;
      }
      checkSheetName(book, String(newName));
      const sheet = new Sheet(book, { name: String(newName) });
      // Office.js: "The new worksheet will be added at the end of existing worksheets."
      book.sheets.push(sheet);
      proxy._entity = sheet;
      proxy._synced = true;
      return 8;
    });
    return proxy;
  }
}

class Worksheet extends ClientObject {
  constructor(ctx, resolve, opts = {}) {
    super(ctx, resolve, { what: "worksheet", ...opts });
  }
  get tables() {
    return nav(this, "tables", () => new TableCollection(this._ctx, () => ({ sheet: this._target() })));
  }
  get charts() {
    return nav(this, "charts", () => new ChartCollection(this._ctx, () => this._target()));
  }
  get names() {
    return nav(this, "names", () => new NamedItemCollection(this._ctx, () => this._target().book, () => this._target()));
  }
  get shapes() {
    return nav(this, "shapes", () => new EmptyCollection(this._ctx, () => this._target(), "shapes"));
  }
  get pivotTables() {
    return nav(this, "pivotTables", () => new EmptyCollection(this._ctx, () => this._target(), "pivotTables"));
  }
  get notes() {
    // ExcelApi 1.18 (only asked for when the job reports 1.18): the mock's sheets carry no notes.
    return nav(this, "notes", () => new EmptyCollection(this._ctx, () => this._target(), "notes"));
  }
  get pageLayout() {
    return nav(this, "pageLayout", () => new PageLayout(this._ctx, () => this._target()));
  }
  get protection() {
    return nav(this, "protection", () => new WorksheetProtection(this._ctx, () => this._target()));
  }
  getRange(address) {
    return new Range(this._ctx, () => {
      const sheet = this._target();
      if (address === undefined || address === null || address === "") {
        return { sheet, box: { r: 0, c: 0, rows: MAX_ROWS, cols: MAX_COLS } };
      }
      let text = String(address);
      const bang = text.lastIndexOf("!");
      if (bang >= 0) {
        // Worksheet.getRange takes an address on this sheet; a sheet-qualified one must name it.
        const named = text.slice(0, bang).replace(/^'(.*)'$/, "$1").replace(/''/g, "'");
        if (named.toLowerCase() !== sheet.name.toLowerCase()) fail("InvalidArgument", `Address ${text} is not on ${sheet.name}.`);
        text = text.slice(bang + 1);
      }
      return { sheet, box: parseAddress(text) };
    })._queueResolve();
  }
  getRangeByIndexes(startRow, startColumn, rowCount, columnCount) {
    return new Range(this._ctx, () => {
      const sheet = this._target();
      for (const n of [startRow, startColumn, rowCount, columnCount]) {
        if (!Number.isInteger(n)) fail("InvalidArgument", "getRangeByIndexes takes integers.");
      }
      return { sheet, box: box(startRow, startColumn, rowCount, columnCount) };
    })._queueResolve();
  }
  getUsedRange(valuesOnly = false) {
    return new Range(this._ctx, () => {
      const sheet = this._target();
      // Office.js: an empty sheet's used range is A1.
      return { sheet, box: sheet.usedBox(valuesOnly) || { r: 0, c: 0, rows: 1, cols: 1 } };
    })._queueResolve();
  }
  getUsedRangeOrNullObject(valuesOnly = false) {
    return new Range(this._ctx, () => {
      const sheet = this._target();
      const b = sheet.usedBox(valuesOnly);
      return b ? { sheet, box: b } : null;
    }, { orNull: true })._queueResolve();
  }
  delete() {
    this._run(16, (sheet) => {
      const book = sheet.book;
      if (book.sheets.filter((s) => s.visibility === "Visible").length <= 1 && sheet.visibility === "Visible") {
        fail("InvalidOperation", "A workbook must contain at least one visible worksheet.");
      }
      deleteSheet(book, sheet);
      return 0;
    });
  }
  activate() {
    this._run(16, (sheet) => {
      sheet.book.active = sheet;
      sheet.book.selection = { sheet, box: { r: 0, c: 0, rows: 1, cols: 1 } };
      return 0;
    });
  }
}
define(Worksheet, {
  name: {
    get: (s) => s.name,
    set: (s, v) => {
      checkSheetName(s.book, v, s);
      renameReferences(s.book, s.name, v);
      s.name = v;
    },
  },
  id: { get: (s) => s.id },
  position: {
    get: (s) => s.book.sheets.indexOf(s),
    set: (s, v) => {
      const sheets = s.book.sheets;
      if (!Number.isInteger(v) || v < 0 || v >= sheets.length) fail("InvalidArgument", `Invalid position ${v}.`);
      sheets.splice(sheets.indexOf(s), 1);
      sheets.splice(v, 0, s);
    },
  },
  visibility: {
    get: (s) => s.visibility,
    set: (s, v) => {
      if (!["Visible", "Hidden", "VeryHidden"].includes(v)) fail("InvalidArgument", `Invalid visibility ${v}.`);
      s.visibility = v;
    },
  },
  showGridlines: { get: (s) => s.showGridlines, set: (s, v) => { s.showGridlines = !!v; } },
});

function sheetRefPattern(name) {
  const quoted = quoteSheet(name).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // A reference to the sheet inside a formula: Name! or 'Name'! (case-insensitive, as Excel).
  return new RegExp(`(^|[^A-Za-z0-9_.'])${quoted}!`, "gi");
}

function deleteSheet(book, sheet) {
  // Excel turns references to a deleted sheet into #REF!, in defined names and in formulas
  // on other sheets (the cached value becomes the #REF! error).
  const pattern = sheetRefPattern(sheet.name);
  for (const n of book.names) {
    if (n.scope === sheet) continue;
    if (typeof n.formula === "string" && pattern.test(n.formula)) {
      n.formula = n.formula.replace(sheetRefPattern(sheet.name), "$1#REF!");
    }
  }
  book.names = book.names.filter((n) => n.scope !== sheet);
  for (const other of book.sheets) {
    if (other === sheet) continue;
    for (const cell of other.cells.values()) {
      if (cell.f && sheetRefPattern(sheet.name).test(cell.f)) {
        cell.f = cell.f.replace(sheetRefPattern(sheet.name), "$1#REF!");
        cell.v = "#REF!";
      }
    }
    for (const chart of other.charts) {
      if (chart.source && chart.source.sheet === sheet.name) chart.source.sheet = "#REF!";
    }
  }
  book.sheets.splice(book.sheets.indexOf(sheet), 1);
  sheet.deleted = true;
  if (book.active === sheet) book.active = book.sheets.find((s) => s.visibility === "Visible") || book.sheets[0];
  if (book.selection.sheet === sheet) book.selection = { sheet: book.active, box: { r: 0, c: 0, rows: 1, cols: 1 } };
}

function renameReferences(book, oldName, newName) {
  for (const n of book.names) {
    if (typeof n.formula === "string") n.formula = n.formula.replace(sheetRefPattern(oldName), `$1${quoteSheet(newName)}!`);
  }
  for (const s of book.sheets) {
    for (const cell of s.cells.values()) {
      if (cell.f) cell.f = cell.f.replace(sheetRefPattern(oldName), `$1${quoteSheet(newName)}!`);
    }
    for (const chart of s.charts) if (chart.source && chart.source.sheet === oldName) chart.source.sheet = newName;
  }
}

class EmptyCollection extends Collection {
  constructor(ctx, resolve, what) {
    super(ctx, resolve, { what });
  }
  _list() {
    return []; // the mock's workbooks have no shapes or pivot tables
  }
  _make(entity, resolve) {
    return new ClientObject(this._ctx, resolve || (() => entity));
  }
}

class PageLayout extends ClientObject {
  getPrintAreaOrNullObject() {
    // No print areas in the mock's workbooks: always the null object.
    return new RangeAreas(this._ctx, () => null, { orNull: true })._queueResolve();
  }
}
class RangeAreas extends ClientObject {
  get areas() {
    return nav(this, "areas", () => new EmptyCollection(this._ctx, () => this._target(), "areas"));
  }
}
define(RangeAreas, { address: { get: () => null } });

class WorksheetProtection extends ClientObject {}
define(WorksheetProtection, { protected: { get: () => false } });

// ---------------------------------------------------------------- ranges

class Range extends ClientObject {
  constructor(ctx, resolve, opts = {}) {
    super(ctx, resolve, { what: "range", ...opts });
  }
  get format() {
    return nav(this, "format", () => new RangeFormat(this._ctx, () => this._target()));
  }
  get worksheet() {
    return nav(this, "worksheet", () => new Worksheet(this._ctx, () => this._target().sheet));
  }
  get conditionalFormats() {
    return nav(this, "cf", () => new ConditionalFormatCollection(this._ctx, () => this._target()));
  }
  clear(applyTo = "All") {
    this._run(16, ({ sheet, box: b }) => {
      if (!["All", "Formats", "Contents", "Hyperlinks", "RemoveHyperlinks"].includes(applyTo)) {
        fail("InvalidArgument", `Invalid applyTo ${applyTo}.`);
      }
      for (const [k, cell] of [...sheet.cells]) {
        const [r, c] = k.split(",").map(Number);
        if (!within(b, r, c)) continue;
        if (applyTo === "All") sheet.cells.delete(k);
        else if (applyTo === "Contents") { delete cell.v; delete cell.f; }
        else if (applyTo === "Formats") {
          for (const p of Object.keys(cell)) if (p !== "v" && p !== "f") delete cell[p];
        }
      }
      if (applyTo === "All" || applyTo === "Formats") {
        // Clearing formats removes the conditional formats of the cleared cells. The mock
        // removes a rule only when the cleared range covers it whole (Excel would trim it).
        sheet.conditionalFormats = sheet.conditionalFormats.filter((cf) => !contains(b, cf.box));
      }
      return 0;
    });
  }
  select() {
    this._run(16, ({ sheet, box: b }) => {
      sheet.book.active = sheet;
      sheet.book.selection = { sheet, box: b };
      return 0;
    });
  }
  getCell(row, column) {
    return new Range(this._ctx, () => {
      const { sheet, box: b } = this._target();
      return { sheet, box: box(b.r + row, b.c + column, 1, 1) };
    })._queueResolve();
  }
  getOffsetRange(rowOffset, columnOffset) {
    return new Range(this._ctx, () => {
      const { sheet, box: b } = this._target();
      return { sheet, box: box(b.r + rowOffset, b.c + columnOffset, b.rows, b.cols) };
    })._queueResolve();
  }
  _sub(f) {
    return new Range(this._ctx, () => {
      const { sheet, box: b } = this._target();
      return { sheet, box: f(b) };
    })._queueResolve();
  }
  getRow(row) {
    return this._sub((b) => box(b.r + row, b.c, 1, b.cols));
  }
  getColumn(column) {
    return this._sub((b) => box(b.r, b.c + column, b.rows, 1));
  }
  getEntireRow() {
    return this._sub((b) => box(b.r, 0, b.rows, MAX_COLS));
  }
  getEntireColumn() {
    return this._sub((b) => box(0, b.c, MAX_ROWS, b.cols));
  }
  getLastRow() {
    return this._sub((b) => box(b.r + b.rows - 1, b.c, 1, b.cols));
  }
  getResizedRange(deltaRows, deltaColumns) {
    return new Range(this._ctx, () => {
      const { sheet, box: b } = this._target();
      return { sheet, box: box(b.r, b.c, b.rows + deltaRows, b.cols + deltaColumns) };
    })._queueResolve();
  }
  getSurroundingRegion() {
    // The current region (Ctrl+*): grow the range while a row or column just outside it has a
    // value next to it. xlwings' client calls it on an "xlwings.conf" sheet's A1.
    return new Range(this._ctx, () => {
      const { sheet, box: b0 } = this._target();
      let b = { ...b0 };
      const filled = (r, c) => r >= 0 && c >= 0 && readValue(sheet, r, c) !== "";
      for (let grown = true; grown;) {
        grown = false;
        const sides = [
          [() => { for (let c = b.c - 1; c <= b.c + b.cols; c++) if (filled(b.r - 1, c)) return true; return false; }, () => { b.r--; b.rows++; }],
          [() => { for (let c = b.c - 1; c <= b.c + b.cols; c++) if (filled(b.r + b.rows, c)) return true; return false; }, () => { b.rows++; }],
          [() => { for (let r = b.r - 1; r <= b.r + b.rows; r++) if (filled(r, b.c - 1)) return true; return false; }, () => { b.c--; b.cols++; }],
          [() => { for (let r = b.r - 1; r <= b.r + b.rows; r++) if (filled(r, b.c + b.cols)) return true; return false; }, () => { b.cols++; }],
        ];
        for (const [has, grow] of sides) if (has()) { grow(); grown = true; }
      }
      return { sheet, box: b };
    })._queueResolve();
  }
  getTables(fullyContained = false) {
    return new TableCollection(this._ctx, () => {
      const { sheet, box: b } = this._target();
      return { sheet, filter: (t) => (fullyContained ? contains(b, t.box) : intersects(b, t.box)) };
    });
  }
}
define(Range, {
  address: { get: ({ sheet, box: b }) => `${quoteSheet(sheet.name)}!${boxAddress(b)}` },
  addressLocal: { get: ({ sheet, box: b }) => `${quoteSheet(sheet.name)}!${boxAddress(b)}` },
  rowIndex: { get: ({ box: b }) => b.r },
  columnIndex: { get: ({ box: b }) => b.c },
  rowCount: { get: ({ box: b }) => b.rows },
  columnCount: { get: ({ box: b }) => b.cols },
  cellCount: { get: ({ box: b }) => b.rows * b.cols },
  values: {
    get: ({ sheet, box: b }) => matrix(b, (r, c) => readValue(sheet, r, c)),
    set: ({ sheet, box: b }, v) => {
      const at = broadcast(v, b);
      forCells(b, (r, c, i, j) => writeValue(sheet, r, c, at(i, j)));
    },
  },
  text: {
    get: ({ sheet, box: b }) => matrix(b, (r, c) => String(readValue(sheet, r, c))),
  },
  formulas: {
    get: ({ sheet, box: b }) => matrix(b, (r, c) => { const cell = sheet.cell(r, c); return cell?.f ?? readValue(sheet, r, c); }),
    set: ({ sheet, box: b }, v) => {
      const at = broadcast(v, b);
      forCells(b, (r, c, i, j) => writeValue(sheet, r, c, at(i, j)));
    },
  },
  numberFormat: {
    get: ({ sheet, box: b }) => matrix(b, (r, c) => sheet.cell(r, c)?.nf ?? "General"),
    set: ({ sheet, box: b }, v) => {
      const at = broadcast(v, b);
      forCells(b, (r, c, i, j) => {
        const f = at(i, j);
        if (f === null || f === undefined) return;
        if (typeof f !== "string") fail("InvalidArgument", "A number format is a string.");
        // "" resets the number format to General.
        setCellProp(sheet, r, c, "nf", f === "General" || f === "" ? null : f);
      });
    },
  },
});

class RangeFormat extends ClientObject {
  get font() {
    return nav(this, "font", () => new RangeFont(this._ctx, () => this._target()));
  }
  get fill() {
    return nav(this, "fill", () => new RangeFill(this._ctx, () => this._target()));
  }
  autofitColumns() {
    this._run(16, () => 0); // widths follow content in Excel; the mock keeps them as they are
  }
  autofitRows() {
    this._run(16, () => 0);
  }
}
define(RangeFormat, {
  columnWidth: {
    // Points. Excel's default column width is 8.43 characters = 48 points.
    get: ({ sheet, box: b }) => {
      let first = null;
      for (let c = b.c; c < b.c + b.cols; c++) {
        const w = sheet.columnWidths.get(c) ?? 48;
        if (first === null) first = w; else if (w !== first) return null;
      }
      return first;
    },
    set: ({ sheet, box: b }, v) => {
      if (typeof v !== "number" || !(v >= 0)) fail("InvalidArgument", "columnWidth must be a non-negative number.");
      for (let c = b.c; c < b.c + b.cols; c++) sheet.columnWidths.set(c, v);
    },
  },
  wrapText: cellFormat("wrap", false),
  horizontalAlignment: cellFormat("halign", "General"),
  verticalAlignment: cellFormat("valign", "Bottom"),
});

function cellFormat(prop, dflt, check) {
  return {
    get: ({ sheet, box: b }) => uniform(b, (r, c) => sheet.cell(r, c)?.[prop] ?? dflt),
    set: ({ sheet, box: b }, v) => {
      // An empty string resets a property to its default (same Microsoft page).
      if (v === "") v = dflt;
      else if (check) check(v);
      forCells(b, (r, c) => setCellProp(sheet, r, c, prop, v === dflt ? null : v));
    },
  };
}

function checkColor(v) {
  if (typeof v !== "string" || !(/^#[0-9A-Fa-f]{6}$/.test(v) || /^[A-Za-z]+$/.test(v))) {
    fail("InvalidArgument", `Invalid color ${v}.`);
  }
}

class RangeFont extends ClientObject {}
define(RangeFont, {
  bold: cellFormat("bold", false, (v) => { if (typeof v !== "boolean") fail("InvalidArgument", "bold is a boolean."); }),
  italic: cellFormat("italic", false, (v) => { if (typeof v !== "boolean") fail("InvalidArgument", "italic is a boolean."); }),
  color: cellFormat("color", "#000000", checkColor),
  name: cellFormat("font", "Calibri"),
  size: cellFormat("size", 11),
});

class RangeFill extends ClientObject {
  clear() {
    this._run(16, ({ sheet, box: b }) => {
      forCells(b, (r, c) => setCellProp(sheet, r, c, "fill", null));
      return 0;
    });
  }
}
define(RangeFill, { color: cellFormat("fill", "#FFFFFF", checkColor) });

// ---------------------------------------------------------------- conditional formats

class ConditionalFormatCollection extends Collection {
  _list({ sheet, box: b }) {
    return sheet.conditionalFormats.filter((cf) => intersects(cf.box, b));
  }
  _make(entity, resolve) {
    return new ConditionalFormat(this._ctx, resolve || (() => entity));
  }
  add(type) {
    const proxy = new ConditionalFormat(this._ctx, () => null);
    this._run(16 + jsonBytes(type), ({ sheet, box: b }) => {
      const types = ["Custom", "IconSet", "CellValue", "ColorScale", "DataBar", "TopBottom", "PresetCriteria", "ContainsText"];
      if (!types.includes(type)) fail("InvalidArgument", `Invalid conditional format type ${type}.`);
      const cf = { type, box: { ...b }, stopIfTrue: false };
      if (type === "Custom") cf.custom = { formula: null, format: {} };
      if (type === "IconSet") cf.iconSet = { style: "ThreeTrafficLights1", criteria: [], showIconOnly: false, reverseIconOrder: false };
      // Office.js: add() puts the new rule at the top priority.
      sheet.conditionalFormats.unshift(cf);
      proxy._entity = cf;
      proxy._sheet = sheet;
      return 8;
    });
    return proxy;
  }
  clearAll() {
    this._run(16, ({ sheet, box: b }) => {
      // Rules covered by the range go; the mock keeps rules only partly covered (Excel trims them).
      sheet.conditionalFormats = sheet.conditionalFormats.filter((cf) => !contains(b, cf.box));
      return 0;
    });
  }
}

class ConditionalFormat extends ClientObject {
  get custom() {
    return nav(this, "custom", () => new CustomConditionalFormat(this._ctx, () => {
      const cf = this._target();
      if (cf.type !== "Custom") fail("InvalidOperation", "This conditional format is not a custom one.");
      return cf;
    }));
  }
  get iconSet() {
    return nav(this, "iconSet", () => new IconSetConditionalFormat(this._ctx, () => {
      const cf = this._target();
      if (cf.type !== "IconSet") fail("InvalidOperation", "This conditional format is not an icon set.");
      return cf.iconSet;
    }));
  }
  delete() {
    this._run(16, (cf) => {
      for (const s of globalThis.__excelMock.book.sheets) s.conditionalFormats = s.conditionalFormats.filter((x) => x !== cf);
      return 0;
    });
  }
}
define(ConditionalFormat, {
  type: { get: (cf) => cf.type },
  stopIfTrue: { get: (cf) => cf.stopIfTrue, set: (cf, v) => { cf.stopIfTrue = !!v; } },
  priority: {
    get: (cf) => globalThis.__excelMock.book.sheets.find((s) => s.conditionalFormats.includes(cf)).conditionalFormats.indexOf(cf),
    set: (cf, v) => {
      const list = globalThis.__excelMock.book.sheets.find((s) => s.conditionalFormats.includes(cf)).conditionalFormats;
      list.splice(list.indexOf(cf), 1);
      list.splice(Math.max(0, Math.min(v, list.length)), 0, cf);
    },
  },
});

class CustomConditionalFormat extends ClientObject {
  get rule() {
    return nav(this, "rule", () => new ConditionalFormatRule(this._ctx, () => this._target().custom));
  }
  get format() {
    return nav(this, "format", () => new ConditionalRangeFormat(this._ctx, () => this._target().custom.format));
  }
}
class ConditionalFormatRule extends ClientObject {}
define(ConditionalFormatRule, {
  formula: {
    get: (rule) => rule.formula,
    set: (rule, v) => {
      if (typeof v !== "string" || !v.startsWith("=")) fail("InvalidArgument", "A conditional format formula starts with '='.");
      rule.formula = v;
    },
  },
});
class ConditionalRangeFormat extends ClientObject {
  get fill() {
    return nav(this, "fill", () => new ConditionalFill(this._ctx, () => this._target()));
  }
  get font() {
    return nav(this, "font", () => new ConditionalFont(this._ctx, () => this._target()));
  }
}
class ConditionalFill extends ClientObject {}
define(ConditionalFill, { color: { get: (f) => f.fill ?? null, set: (f, v) => { checkColor(v); f.fill = v; } } });
class ConditionalFont extends ClientObject {}
define(ConditionalFont, {
  color: { get: (f) => f.fontColor ?? null, set: (f, v) => { checkColor(v); f.fontColor = v; } },
  bold: { get: (f) => f.bold ?? null, set: (f, v) => { f.bold = !!v; } },
  italic: { get: (f) => f.italic ?? null, set: (f, v) => { f.italic = !!v; } },
});

const ICON_SETS = ["ThreeArrows", "ThreeArrowsGray", "ThreeFlags", "ThreeTrafficLights1", "ThreeTrafficLights2",
  "ThreeSigns", "ThreeSymbols", "ThreeSymbols2", "FourArrows", "FourArrowsGray", "FourRedToBlack", "FourRating",
  "FourTrafficLights", "FiveArrows", "FiveArrowsGray", "FiveRating", "FiveQuarters", "ThreeStars",
  "ThreeTriangles", "FiveBoxes"];
class IconSetConditionalFormat extends ClientObject {}
define(IconSetConditionalFormat, {
  style: { get: (i) => i.style, set: (i, v) => { if (!ICON_SETS.includes(v)) fail("InvalidArgument", `Invalid icon set ${v}.`); i.style = v; } },
  criteria: {
    get: (i) => i.criteria,
    set: (i, v) => {
      const n = i.style.startsWith("Three") ? 3 : i.style.startsWith("Four") ? 4 : 5;
      if (!Array.isArray(v) || v.length !== n) fail("InvalidArgument", `The ${i.style} icon set takes ${n} criteria.`);
      i.criteria = v;
    },
  },
  showIconOnly: { get: (i) => i.showIconOnly, set: (i, v) => { i.showIconOnly = !!v; } },
  reverseIconOrder: { get: (i) => i.reverseIconOrder, set: (i, v) => { i.reverseIconOrder = !!v; } },
});

// ---------------------------------------------------------------- tables

class TableCollection extends Collection {
  // resolve() -> {sheet} | {book} | {sheet, filter}
  _list(where) {
    if (where.book) return where.book.allTables();
    return where.sheet.tables.filter(where.filter || (() => true));
  }
  _make(entity, resolve) {
    return new Table(this._ctx, resolve || (() => entity));
  }
  getItem(name) {
    return new Table(this._ctx, () => this._list(this._target()).find((t) => t.name.toLowerCase() === String(name).toLowerCase()) || null)._queueResolve();
  }
  getItemOrNullObject(name) {
    return new Table(this._ctx, () => this._list(this._target()).find((t) => t.name.toLowerCase() === String(name).toLowerCase()) || null, { orNull: true })._queueResolve();
  }
  add(address, hasHeaders) {
    const proxy = new Table(this._ctx, () => null);
    const source = address instanceof Range ? address : null;
    this._run(32 + jsonBytes(source ? "" : address), (where) => {
      let sheet, b;
      if (source) ({ sheet, box: b } = source._target());
      else {
        let text = String(address);
        sheet = where.sheet;
        const bang = text.lastIndexOf("!");
        if (bang >= 0) {
          const named = text.slice(0, bang).replace(/^'(.*)'$/, "$1").replace(/''/g, "'");
          sheet = where.sheet && named.toLowerCase() !== where.sheet.name.toLowerCase() ? null : (where.sheet || where.book.sheetByName(named));
          if (!sheet) fail("InvalidArgument", `The address ${text} is not on this worksheet.`);
          text = text.slice(bang + 1);
        }
        if (!sheet) sheet = where.book.active;
        b = parseAddress(text);
      }
      if (sheet.tables.some((t) => intersects(t.box, b))) fail("InvalidOperation", "A table can't overlap another table.");
      const book = sheet.book;
      if (!hasHeaders) {
        // Office.js: "If the source does not contain headers, Excel will automatically generate
        // a header and shift the data down by one row."
        for (let r = b.r + b.rows - 1; r >= b.r; r--) {
          for (let c = b.c; c < b.c + b.cols; c++) {
            const cell = sheet.cells.get(key(r, c));
            if (cell) sheet.cells.set(key(r + 1, c), cell); else sheet.cells.delete(key(r + 1, c));
          }
        }
        for (let c = b.c; c < b.c + b.cols; c++) sheet.cells.set(key(b.r, c), { v: `Column${c - b.c + 1}` });
        b = { ...b, rows: b.rows + 1 };
      } else {
        // Headers are text, non-empty and unique in a table; Excel rewrites the cells to make them so.
        const seen = new Set();
        for (let c = b.c; c < b.c + b.cols; c++) {
          let h = String(readValue(sheet, b.r, c));
          if (h === "") h = `Column${c - b.c + 1}`;
          let unique = h, n = 2;
          while (seen.has(unique.toLowerCase())) unique = `${h}${n++}`;
          seen.add(unique.toLowerCase());
          if (unique !== readValue(sheet, b.r, c)) writeValue(sheet, b.r, c, `'${unique}`);
        }
      }
      let n = ++book.tableCounter;
      while (book.allTables().some((t) => t.name === `Table${n}`)) n = ++book.tableCounter;
      const table = {
        id: `{mock-table-${nextId++}}`, sheet, name: `Table${n}`, box: b, style: "TableStyleMedium2",
        showHeaders: true, showTotals: false, showFilterButton: true, highlightFirstColumn: false,
        highlightLastColumn: false, showBandedRows: true, showBandedColumns: false,
      };
      sheet.tables.push(table);
      proxy._entity = table;
      proxy._synced = true;
      return 8;
    });
    return proxy;
  }
}

class Table extends ClientObject {
  constructor(ctx, resolve, opts = {}) {
    super(ctx, resolve, { what: "table", ...opts });
  }
  _part(f) {
    return new Range(this._ctx, () => {
      const t = this._target();
      return f(t);
    })._queueResolve();
  }
  getRange() {
    return this._part((t) => ({ sheet: t.sheet, box: t.box }));
  }
  getHeaderRowRange() {
    return this._part((t) => {
      if (!t.showHeaders) fail("InvalidOperation", "The table has no header row.");
      return { sheet: t.sheet, box: { ...t.box, rows: 1 } };
    });
  }
  getDataBodyRange() {
    return this._part((t) => {
      const top = t.box.r + (t.showHeaders ? 1 : 0);
      const rows = Math.max(1, t.box.rows - (t.showHeaders ? 1 : 0) - (t.showTotals ? 1 : 0));
      return { sheet: t.sheet, box: { ...t.box, r: top, rows } };
    });
  }
  getTotalRowRange() {
    return this._part((t) => {
      if (!t.showTotals) fail("InvalidOperation", "The table has no total row.");
      return { sheet: t.sheet, box: { ...t.box, r: t.box.r + t.box.rows - 1, rows: 1 } };
    });
  }
  get columns() {
    return nav(this, "columns", () => new TableColumnCollection(this._ctx, () => this._target()));
  }
  get worksheet() {
    return nav(this, "worksheet", () => new Worksheet(this._ctx, () => this._target().sheet));
  }
  delete() {
    this._run(16, (t) => {
      // Table.delete() removes the table with its data (convertToRange() is the one that keeps it).
      for (const k of [...t.sheet.cells.keys()]) {
        const [r, c] = k.split(",").map(Number);
        if (within(t.box, r, c)) t.sheet.cells.delete(k);
      }
      t.sheet.tables.splice(t.sheet.tables.indexOf(t), 1);
      t.deleted = true;
      return 0;
    });
  }
  convertToRange() {
    this._run(16, (t) => {
      t.sheet.tables.splice(t.sheet.tables.indexOf(t), 1);
      t.deleted = true;
      return 0;
    });
    return new Range(this._ctx, () => null, { orNull: true });
  }
}
const tableFlag = (name) => ({ get: (t) => t[name], set: (t, v) => { t[name] = !!v; } });
define(Table, {
  id: { get: (t) => t.id },
  name: {
    get: (t) => t.name,
    set: (t, v) => {
      if (typeof v !== "string" || !/^[A-Za-z_\\][A-Za-z0-9_.\\]*$/.test(v) || /^[A-Za-z]{1,3}[0-9]+$/.test(v)) {
        fail("InvalidArgument", `The table name '${v}' is not valid.`);
      }
      const book = t.sheet.book;
      const clash = book.allTables().some((o) => o !== t && o.name.toLowerCase() === v.toLowerCase()) ||
        book.names.some((n) => n.name.toLowerCase() === v.toLowerCase());
      if (clash) fail("ItemAlreadyExists", `A table or name called '${v}' already exists.`);
      t.name = v;
    },
  },
  style: { get: (t) => t.style, set: (t, v) => { t.style = v; } },
  showHeaders: tableFlag("showHeaders"),
  showTotals: tableFlag("showTotals"),
  showFilterButton: tableFlag("showFilterButton"),
  highlightFirstColumn: tableFlag("highlightFirstColumn"),
  highlightLastColumn: tableFlag("highlightLastColumn"),
  showBandedRows: tableFlag("showBandedRows"),
  showBandedColumns: tableFlag("showBandedColumns"),
});

class TableColumnCollection extends Collection {
  _list(t) {
    return Array.from({ length: t.box.cols }, (_, i) => ({ table: t, index: i }));
  }
  _make(entity, resolve) {
    return new TableColumn(this._ctx, resolve || (() => entity));
  }
  // Office.js TableColumnCollection.add(index, values, name): a column at ``index`` (null: after
  // the last). Excel inserts cells for it across the table's rows (what was to the right of it
  // moves right), so the new column is empty but for its header and the values given.
  add(index = null, values = null, name = null) {
    const proxy = new TableColumn(this._ctx, () => null);
    this._run(32 + jsonBytes([values, name]), (t) => {
      const at = index === null || index === undefined ? t.box.cols : index;
      if (at < 0 || at > t.box.cols) fail("InvalidArgument", `The index ${index} is out of range.`);
      const c = t.box.c + at;
      const last = t.box.r + t.box.rows - 1;
      const moved = [...t.sheet.cells.keys()].map((k) => k.split(",").map(Number))
        .filter(([r, cc]) => r >= t.box.r && r <= last && cc >= c).sort((a, b) => b[1] - a[1]);
      for (const [r, cc] of moved) {
        t.sheet.cells.set(key(r, cc + 1), t.sheet.cells.get(key(r, cc)));
        t.sheet.cells.delete(key(r, cc));
      }
      t.box = { ...t.box, cols: t.box.cols + 1 };
      const headers = new Set(Array.from({ length: t.box.cols }, (_, i) => String(readValue(t.sheet, t.box.r, t.box.c + i)).toLowerCase()));
      let header = name === null || name === undefined ? `Column${at + 1}` : String(name);
      let unique = header, n = 2;
      while (headers.has(unique.toLowerCase())) unique = `${header}${n++}`;
      if (t.showHeaders) writeValue(t.sheet, t.box.r, c, `'${unique}`);
      if (values) values.forEach((row, i) => writeValue(t.sheet, t.box.r + (t.showHeaders ? 1 : 0) + i, c, row[0]));
      proxy._entity = { table: t, index: at };
      proxy._synced = true;
      return 8;
    });
    return proxy;
  }
}
class TableColumn extends ClientObject {}
define(TableColumn, {
  name: { get: ({ table: t, index }) => String(readValue(t.sheet, t.box.r, t.box.c + index)) },
  index: { get: ({ index }) => index },
});

// ---------------------------------------------------------------- charts

class ChartCollection extends Collection {
  _list(sheet) {
    return sheet.charts;
  }
  _make(entity, resolve) {
    return new Chart(this._ctx, resolve || (() => entity));
  }
  getItem(name) {
    return new Chart(this._ctx, () => this._target().charts.find((c) => c.name === name) || null)._queueResolve();
  }
  add(type, sourceData, seriesBy = "Auto") {
    const proxy = new Chart(this._ctx, () => null);
    this._run(48 + jsonBytes([type, seriesBy]), (sheet) => {
      if (!(sourceData instanceof Range)) fail("InvalidArgument", "Chart source data must be a Range.");
      if (!["Auto", "Columns", "Rows"].includes(seriesBy)) fail("InvalidArgument", `Invalid seriesBy ${seriesBy}.`);
      const { sheet: src, box: b } = sourceData._target();
      const book = sheet.book;
      // Series count, simplified: one series per column (Columns, or Auto on a range at least
      // as tall as it is wide) or per row, less the first row/column when it holds text labels.
      const byColumns = seriesBy === "Columns" || (seriesBy === "Auto" && b.rows >= b.cols);
      const labels = byColumns
        ? typeof readValue(src, b.r + Math.min(1, b.rows - 1), b.c) === "string" && b.cols > 1
        : typeof readValue(src, b.r, b.c + Math.min(1, b.cols - 1)) === "string" && b.rows > 1;
      const n = Math.max(1, (byColumns ? b.cols : b.rows) - (labels ? 1 : 0));
      const chart = {
        id: `{mock-chart-${nextId++}}`, sheet, name: `Chart ${++book.chartCounter}`, chartType: type,
        source: { sheet: src.name, address: boxAddress(b) }, seriesBy, left: 0, top: 0, width: 360, height: 216,
        title: { text: "", visible: false }, axes: { value: { title: "" }, category: { title: "" } },
        series: Array.from({ length: n }, () => ({ xValues: null })), position: null,
      };
      sheet.charts.push(chart);
      proxy._entity = chart;
      proxy._synced = true;
      return 8;
    });
    return proxy;
  }
}

class Chart extends ClientObject {
  constructor(ctx, resolve, opts = {}) {
    super(ctx, resolve, { what: "chart", ...opts });
  }
  get title() {
    return nav(this, "title", () => new ChartTitle(this._ctx, () => this._target().title));
  }
  get series() {
    return nav(this, "series", () => new ChartSeriesCollection(this._ctx, () => this._target()));
  }
  get axes() {
    return nav(this, "axes", () => new ChartAxes(this._ctx, () => this._target()));
  }
  setPosition(startCell, endCell) {
    const label = (cell) => (cell instanceof Range ? null : cell);
    this._run(32 + jsonBytes([label(startCell), label(endCell)]), (chart) => {
      const address = (cell) => {
        if (cell === undefined || cell === null) return null;
        if (cell instanceof Range) return boxAddress(cell._target().box);
        return boxAddress(parseAddress(String(cell).split("!").pop()));
      };
      chart.position = { start: address(startCell), end: address(endCell) };
      return 0;
    });
  }
  setData(sourceData, seriesBy = "Auto") {
    this._run(32, (chart) => {
      const { sheet, box: b } = sourceData._target();
      chart.source = { sheet: sheet.name, address: boxAddress(b) };
      chart.seriesBy = seriesBy;
      return 0;
    });
  }
  delete() {
    this._run(16, (chart) => {
      chart.sheet.charts.splice(chart.sheet.charts.indexOf(chart), 1);
      chart.deleted = true;
      return 0;
    });
  }
}
const num = (name) => ({ get: (c) => c[name], set: (c, v) => { if (typeof v !== "number" || !(v >= 0)) fail("InvalidArgument", `${name} must be a number.`); c[name] = v; } });
define(Chart, {
  id: { get: (c) => c.id },
  name: { get: (c) => c.name, set: (c, v) => { c.name = String(v); } },
  chartType: { get: (c) => c.chartType, set: (c, v) => { c.chartType = v; } },
  left: num("left"),
  top: num("top"),
  width: num("width"),
  height: num("height"),
  style: { get: (c) => c.style ?? 2, set: (c, v) => { c.style = v; } },
});

class ChartTitle extends ClientObject {}
define(ChartTitle, {
  text: { get: (t) => t.text, set: (t, v) => { t.text = String(v); t.visible = true; } },
  visible: { get: (t) => t.visible, set: (t, v) => { t.visible = !!v; } },
});

class ChartSeriesCollection extends Collection {
  _list(chart) {
    return chart.series;
  }
  _make(entity, resolve) {
    return new ChartSeries(this._ctx, resolve || (() => entity));
  }
}
class ChartSeries extends ClientObject {
  setXAxisValues(sourceData) {
    this._run(32, (series) => {
      const { sheet, box: b } = sourceData._target();
      series.xValues = `${quoteSheet(sheet.name)}!${boxAddress(b)}`;
      return 0;
    });
  }
  setValues(sourceData) {
    this._run(32, (series) => {
      const { sheet, box: b } = sourceData._target();
      series.values = `${quoteSheet(sheet.name)}!${boxAddress(b)}`;
      return 0;
    });
  }
}
// chartType and the marker colours are ExcelApi 1.7, format.line.color 1.7 (a funnel's limit lines).
const colour = (name) => ({ get: (s) => s[name] ?? null, set: (s, v) => { if (!/^#[0-9A-Fa-f]{6}$/.test(String(v))) fail("InvalidArgument", `${name} must be #RRGGBB.`); s[name] = String(v); } });
define(ChartSeries, {
  name: { get: (s) => s.name ?? "", set: (s, v) => { s.name = String(v); } },
  chartType: { get: (s) => s.chartType ?? null, set: (s, v) => { s.chartType = String(v); } },
  markerBackgroundColor: colour("markerBackgroundColor"),
  markerForegroundColor: colour("markerForegroundColor"),
});
Object.defineProperty(ChartSeries.prototype, "format", {
  get() {
    return nav(this, "format", () => new ChartSeriesFormat(this._ctx, () => this._target()));
  },
});
class ChartSeriesFormat extends ClientObject {
  get line() {
    return nav(this, "line", () => new ChartLineFormat(this._ctx, () => this._target()));
  }
}
class ChartLineFormat extends ClientObject {}
define(ChartLineFormat, { color: colour("lineColor") });

class ChartAxes extends ClientObject {
  get valueAxis() {
    return nav(this, "valueAxis", () => new ChartAxis(this._ctx, () => this._target().axes.value));
  }
  get categoryAxis() {
    return nav(this, "categoryAxis", () => new ChartAxis(this._ctx, () => this._target().axes.category));
  }
}
class ChartAxis extends ClientObject {
  get title() {
    return nav(this, "title", () => new ChartAxisTitle(this._ctx, () => this._target()));
  }
}
define(ChartAxis, {
  visible: { get: (a) => a.visible !== false, set: (a, v) => { a.visible = !!v; } },
  majorUnit: { get: (a) => a.majorUnit ?? null, set: (a, v) => { a.majorUnit = v; } },
  reversePlotOrder: { get: (a) => !!a.reversePlotOrder, set: (a, v) => { a.reversePlotOrder = !!v; } },
  position: { get: (a) => a.position ?? "Automatic", set: (a, v) => { a.position = v; } },
  minimum: { get: (a) => a.minimum ?? null, set: (a, v) => { a.minimum = v; } },
  maximum: { get: (a) => a.maximum ?? null, set: (a, v) => { a.maximum = v; } },
  numberFormat: { get: (a) => a.numberFormat ?? "General", set: (a, v) => { a.numberFormat = v; } },
});
class ChartAxisTitle extends ClientObject {}
define(ChartAxisTitle, {
  text: { get: (a) => a.title, set: (a, v) => { a.title = String(v); } },
  visible: { get: (a) => !!a.titleVisible, set: (a, v) => { a.titleVisible = !!v; } },
});

// ---------------------------------------------------------------- names

function validName(name) {
  return typeof name === "string" && /^[A-Za-z_\\][A-Za-z0-9_.\\]*$/.test(name) &&
    !/^[A-Za-z]{1,3}[0-9]+$/.test(name) && !/^[RrCc]$/.test(name) && name.length <= 255;
}

class NamedItemCollection extends Collection {
  // resolveBook() -> Book; resolveScope() -> Sheet (sheet-scoped collection) or null
  constructor(ctx, resolveBook, resolveScope) {
    super(ctx, resolveBook, { what: "names" });
    this._scopeFn = resolveScope;
  }
  _list(book) {
    const scope = this._scopeFn ? this._scopeFn() : null;
    return book.names.filter((n) => n.scope === scope);
  }
  _make(entity, resolve) {
    return new NamedItem(this._ctx, resolve || (() => entity));
  }
  _find(name) {
    return this._list(this._target()).find((n) => n.name.toLowerCase() === String(name).toLowerCase()) || null;
  }
  getItem(name) {
    return new NamedItem(this._ctx, () => this._find(name), { what: `name '${name}'` })._queueResolve();
  }
  getItemOrNullObject(name) {
    return new NamedItem(this._ctx, () => this._find(name), { orNull: true })._queueResolve();
  }
  add(name, reference, comment = "") {
    const proxy = new NamedItem(this._ctx, () => null);
    const text = reference instanceof Range ? null : reference;
    this._run(32 + jsonBytes([name, text, comment]), (book) => {
      if (!validName(name)) fail("InvalidArgument", `The name '${name}' is not valid.`);
      const scope = this._scopeFn ? this._scopeFn() : null;
      if (this._find(name)) fail("ItemAlreadyExists", `The name '${name}' already exists.`);
      let formula;
      if (reference instanceof Range) {
        const { sheet, box: b } = reference._target();
        formula = `=${quoteSheet(sheet.name)}!${boxAddress(b, true)}`;
      } else {
        formula = String(reference).startsWith("=") ? String(reference) : `=${reference}`;
      }
      const item = { name, formula, visible: true, comment: String(comment ?? ""), scope };
      book.names.push(item);
      proxy._entity = item;
      proxy._synced = true;
      return 8;
    });
    return proxy;
  }
}

// Which sheet and cells a name's formula points at, if it is a single range reference.
function nameTarget(book, formula) {
  const m = String(formula || "").match(/^=(?:'((?:[^']|'')+)'|([^'!]+))!(\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)$/);
  if (!m) return null;
  const sheet = book.sheetByName((m[1] ?? m[2]).replace(/''/g, "'"));
  return sheet ? { sheet, box: parseAddress(m[3]) } : null;
}

class NamedItem extends ClientObject {
  constructor(ctx, resolve, opts = {}) {
    super(ctx, resolve, { what: "name", ...opts });
  }
  getRange() {
    return new Range(this._ctx, () => {
      const n = this._target();
      const target = nameTarget(globalThis.__excelMock.book, n.formula);
      if (!target) fail("InvalidOperation", `The name '${n.name}' does not refer to a range.`);
      return target;
    })._queueResolve();
  }
  getRangeOrNullObject() {
    return new Range(this._ctx, () => nameTarget(globalThis.__excelMock.book, this._target().formula), { orNull: true })._queueResolve();
  }
  get worksheetOrNullObject() {
    return nav(this, "ws", () => new Worksheet(this._ctx, () => this._target().scope, { orNull: true }));
  }
  delete() {
    this._run(16, (n) => {
      const book = globalThis.__excelMock.book;
      book.names.splice(book.names.indexOf(n), 1);
      n.deleted = true;
      return 0;
    });
  }
}
define(NamedItem, {
  name: { get: (n) => n.name },
  formula: { get: (n) => n.formula, set: (n, v) => { n.formula = String(v).startsWith("=") ? String(v) : `=${v}`; } },
  visible: { get: (n) => n.visible !== false, set: (n, v) => { n.visible = !!v; } },
  comment: { get: (n) => n.comment ?? "", set: (n, v) => { n.comment = String(v); } },
  scope: { get: (n) => (n.scope ? "Worksheet" : "Workbook") },
  type: {
    get: (n) => {
      const f = String(n.formula || "");
      if (f.includes("#REF!")) return "Error";
      if (nameTarget(globalThis.__excelMock.book, f)) return "Range";
      if (/^="/.test(f)) return "String";
      if (/^=[+-]?\d/.test(f)) return "Double";
      if (/^=(TRUE|FALSE)$/i.test(f)) return "Boolean";
      return "Formula";
    },
  },
  value: { get: (n) => String(n.formula || "").replace(/^=/, "") },
});

// ---------------------------------------------------------------- entry points

// The globals Office.js provides: Excel (run, RequestContext, enums) and the per-run recorder.
export function installExcel(model, options = {}) {
  const recorder = {
    syncCalls: 0,
    syncs: [],
    unknownLoads: [],
    unimplemented: [],
    latencyMs: options.latencyMs || 0,
    enforcePayloadLimit: !!options.enforcePayloadLimit,
    payloadLimitBytes: options.payloadLimitBytes || 5 * 1024 * 1024,
    runs: 0,
  };
  const book = new Book(model);
  globalThis.__excelMock = { book, recorder };
  globalThis.Excel = {
    RequestContext,
    async run(arg1, arg2) {
      const callback = typeof arg1 === "function" ? arg1 : arg2;
      recorder.runs += 1;
      const context = new RequestContext(book, recorder);
      const result = await callback(context);
      // Excel.run syncs whatever is still queued when the callback's promise settles.
      await context.sync();
      return result;
    },
    ClearApplyTo: { all: "All", formats: "Formats", contents: "Contents", hyperlinks: "Hyperlinks", removeHyperlinks: "RemoveHyperlinks" },
    ShapeType: { image: "Image", geometricShape: "GeometricShape", group: "Group", line: "Line" },
    DeleteShiftDirection: { up: "Up", left: "Left" },
    InsertShiftDirection: { down: "Down", right: "Right" },
    CalculationType: { recalculate: "Recalculate", full: "Full", fullRebuild: "FullRebuild" },
    SaveBehavior: { save: "Save", prompt: "Prompt" },
    GroupOption: { byRows: "ByRows", byColumns: "ByColumns" },
    ErrorCodes: { itemNotFound: "ItemNotFound", invalidArgument: "InvalidArgument", propertyNotLoaded: "PropertyNotLoaded" },
  };
  globalThis.OfficeExtension = { Error: OfficeError };
  return { book, recorder };
}
