// Drive the web add-in through xlwings Server's REAL client in Node.
//
//   node run_client.mjs job.json
//
// job.json: {
//   "model": {...workbook model, see client.py...},
//   "server_url": "http://127.0.0.1:PORT",
//   "xlwings_static": ".../site-packages/xlwings_server/static",   (the installed wheel's)
//   "addin_js": ".../kpi_excel/addin/server/project/static/js/ribbon.js",
//   "button": "refresh-kpis",                 (an Office.actions.associate id)
//   "mutate": [{"swap_rows": ["KPIs", 5, 6]}] (applied when the script call's HTTP response has
//                                              arrived, before the client applies its actions),
//   "latency_ms": 0, "enforce_payload_limit": false,
//   "output": "result.json"
// }
//
// The page is set up as taskpane.html sets it up: Office.js globals (here: the in-memory
// excel_mock.mjs and a small Office object), the #config element the server renders, the
// wheel's custom-scripts/index.js as a module, auth.js, then our ribbon.js as a classic
// script, then DOMContentLoaded. Then the ribbon button is "clicked" by calling the function
// ribbon.js associated with its id, and the harness waits for event.completed().

import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import vm from "node:vm";
import { pathToFileURL } from "node:url";
import { installExcel, parseAddress, writeCell } from "./excel_mock.mjs";

const job = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const out = {
  alerts: [],
  requests: [],
  load_requests: [],
  console: [],
  errors: [],
  completed: false,
};

// ---------------------------------------------------------------- console, failures

for (const level of ["log", "info", "warn", "error", "debug"]) {
  console[level] = (...args) => {
    const text = args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : typeof a === "string" ? a : safeJSON(a))).join(" ");
    out.console.push({ level, text });
    if (process.env.WEBCLIENT_DEBUG) process.stderr.write(`[${level}] ${text}\n`);
  };
}
function safeJSON(v) {
  try { return JSON.stringify(v); } catch { return String(v); }
}
process.on("unhandledRejection", (reason) => {
  out.errors.push(`unhandled rejection: ${reason && reason.stack ? reason.stack : String(reason)}`);
});
process.on("uncaughtException", (error) => {
  out.errors.push(`uncaught exception: ${error && error.stack ? error.stack : String(error)}`);
});

// ---------------------------------------------------------------- the workbook

const { book, recorder } = installExcel(job.model, {
  latencyMs: job.latency_ms || 0,
  enforcePayloadLimit: !!job.enforce_payload_limit,
});

// ---------------------------------------------------------------- Office

function versionAtMost(version, max) {
  const [a, b = 0] = String(version).split(".").map(Number);
  const [x, y = 0] = max.split(".").map(Number);
  return a < x || (a === x && b <= y);
}

// The host's requirement sets: ExcelApi up to 1.17 unless the job says otherwise (1.18 only adds
// notes to what the client reads; the mock's sheets have none), no desktop-only sets.
const SUPPORTED = { excelapi: job.excel_api || "1.17", dialogapi: "1.2", sharedruntime: "1.1", ribbonapi: "1.1",
  identityapi: "1.3" };

let openDialog = null;
const associated = {};

globalThis.Office = {
  onReady(callback) {
    const info = { host: "Excel", platform: "OfficeOnline" };
    if (callback) Promise.resolve().then(() => callback(info));
    return Promise.resolve(info);
  },
  context: {
    platform: "OfficeOnline",
    requirements: {
      isSetSupported(name, version = "1.1") {
        const max = SUPPORTED[String(name).toLowerCase()];
        return max !== undefined && versionAtMost(version, max);
      },
    },
    ui: {
      displayDialogAsync(url, options, callback) {
        const query = new URL(url).searchParams;
        if (openDialog) {
          // Office allows one dialog at a time (error 12007).
          callback?.({ status: "failed", error: { code: 12007, message: "A dialog is already opened." } });
          return;
        }
        const alert = {
          url,
          prompt: query.get("prompt"),
          title: query.get("title"),
          buttons: query.get("buttons"),
          mode: query.get("mode"),
          callback: query.get("callback"),
          options,
        };
        out.alerts.push(alert);
        const dialog = {
          handlers: {},
          addEventHandler(type, handler) { this.handlers[type] = handler; },
          close() { if (openDialog === dialog) openDialog = null; },
          messageChild() {},
        };
        openDialog = dialog;
        callback?.({ status: "succeeded", value: dialog });
      },
      openBrowserWindow(url) {
        out.opened = url;
      },
    },
    document: {}, // getFileAsync (the committee paper button) is not implemented
  },
  actions: {
    associate(id, fn) {
      associated[id] = fn;
    },
  },
  auth: {
    getAccessToken() {
      return Promise.reject(Object.assign(new Error("SSO is not available in the harness"), { code: 13000 }));
    },
  },
  AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
  EventType: { DialogMessageReceived: "dialogMessageReceived", DialogEventReceived: "dialogEventReceived" },
  FileType: { Compressed: "compressed" },
  HostType: { Excel: "Excel" },
  PlatformType: { OfficeOnline: "OfficeOnline" },
};

// ---------------------------------------------------------------- the page

const config = await serverConfig(job.server_url);

function fakeElement(id) {
  const span = { textContent: "" };
  return {
    id,
    textContent: "",
    classList: { add() {}, remove() {}, contains() { return false; } },
    querySelector: () => span,
    setAttribute() {}, getAttribute() { return null; }, hasAttribute() { return false; },
    appendChild() {}, removeChild() {}, addEventListener() {},
    get span() { return span; },
  };
}
const statusElements = { "global-error-alert": fakeElement("global-error-alert"), "global-status-alert": fakeElement("global-status-alert") };
const configElement = fakeElement("config");
configElement.textContent = JSON.stringify(config);
const domListeners = {};

globalThis.window = globalThis;
globalThis.location = { origin: new URL(job.server_url).origin, href: job.server_url + "/taskpane.html" };
Object.defineProperty(globalThis, "navigator", {
  value: { userAgent: "Mozilla/5.0 (X11; Linux x86_64) kpi_excel-webclient-harness" },
  configurable: true,
});
globalThis.document = {
  getElementById: (id) => (id === "config" ? configElement : statusElements[id] || null),
  querySelector: (selector) => statusElements[selector.replace(/^#/, "")] || null,
  querySelectorAll: () => [],
  addEventListener(type, listener) { (domListeners[type] = domListeners[type] || []).push(listener); },
  createElement: () => fakeElement(null),
};
globalThis.sessionStorage = { getItem: () => null, setItem() {} };
globalThis.window.open = (url) => { out.opened = url; };

// XMLHttpRequest over Node's http, as much of it as xlwings' utils.js uses.
let currentLog = out.load_requests;
class XMLHttpRequest {
  constructor() {
    this.readyState = 0;
    this.status = 0;
    this.statusText = "";
    this.responseText = "";
    this.timeout = 0;
    this._headers = {};
    this._responseHeaders = {};
  }
  open(method, url) {
    this._method = method;
    this._url = url;
    this.readyState = 1;
  }
  setRequestHeader(name, value) {
    this._headers[name] = String(value);
  }
  getResponseHeader(name) {
    const v = this._responseHeaders[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
  }
  abort() {
    this._req?.destroy();
    this.onabort?.();
  }
  send(body) {
    const data = body == null ? null : Buffer.from(String(body), "utf8");
    const entry = { method: this._method, url: this._url, request_bytes: data ? data.length : 0, started: Date.now() };
    if (data && /custom-scripts-call/.test(this._url)) entry.body = String(body);
    currentLog.push(entry);
    const url = new URL(this._url);
    const lib = url.protocol === "https:" ? https : http;
    const headers = { ...this._headers };
    if (data) headers["Content-Length"] = data.length;
    const req = lib.request(url, { method: this._method, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        entry.status = res.statusCode;
        entry.response_bytes = Buffer.byteLength(text);
        entry.ms = Date.now() - entry.started;
        this.status = res.statusCode;
        this.statusText = res.statusMessage;
        this.responseText = text;
        this._responseHeaders = res.headers;
        this.readyState = 4;
        if (/custom-scripts-call/.test(this._url)) {
          // The server has answered; a co-author may have changed the workbook meanwhile.
          for (const m of job.mutate || []) applyMutation(book, m);
          entry.actions = countActions(text);
        }
        this.onload?.();
      });
    });
    this._req = req;
    if (this.timeout) {
      req.setTimeout(this.timeout, () => {
        req.destroy();
        this.ontimeout?.();
      });
    }
    req.on("error", (error) => {
      // A browser reports a connection the server dropped (e.g. while refusing an oversized
      // body) as a network error too: xhr.onerror, no response.
      entry.error = `network: ${error.code || error.message}`;
      this.onerror?.();
    });
    if (data) req.write(data);
    req.end();
  }
}
globalThis.XMLHttpRequest = XMLHttpRequest;

// fetch (ribbon.js reads the scripts' metadata with it): Node's own, with each call logged.
const nodeFetch = globalThis.fetch;
globalThis.fetch = async (input, init = {}) => {
  const url = typeof input === "string" ? input : input.url;
  const body = init.body;
  const size = body == null ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body.size ?? body.byteLength ?? 0;
  const entry = { method: init.method || "GET", url, request_bytes: size, via: "fetch" };
  currentLog.push(entry);
  const response = await nodeFetch(input, init);
  entry.status = response.status;
  return response;
};

function countActions(text) {
  try {
    const data = JSON.parse(text);
    const counts = {};
    for (const a of data.actions || []) counts[a.func] = (counts[a.func] || 0) + 1;
    return counts;
  } catch {
    return null;
  }
}

async function serverConfig(serverUrl) {
  // The JSON xlwings Server renders into <script id="config"> on taskpane.html.
  const fallback = { appPath: "", authProviders: [], isOfficialLiteAddin: false, onWasm: false, requestTimeout: 300, xlwingsVersion: "" };
  try {
    const response = await fetch(serverUrl + "/taskpane.html");
    const html = await response.text();
    const m = html.match(/<script id="config" type="application\/json">([\s\S]*?)<\/script>/);
    if (m) return JSON.parse(m[1]);
    out.errors.push("taskpane.html has no #config element; using defaults");
  } catch (error) {
    out.errors.push(`could not read taskpane.html: ${error.message}`);
  }
  return fallback;
}

// ---------------------------------------------------------------- co-author mutations

function sheetOf(b, name) {
  const sheet = b.sheetByName(name);
  if (!sheet) throw new Error(`mutation: no sheet ${name}`);
  return sheet;
}

function moveRows(sheet, mapRow) {
  const cells = new Map();
  for (const [k, cell] of sheet.cells) {
    const [r, c] = k.split(",").map(Number);
    const to = mapRow(r);
    if (to !== null) cells.set(`${to},${c}`, cell);
  }
  sheet.cells = cells;
}

export function applyMutation(b, m) {
  const [kind, args] = Object.entries(m)[0];
  if (kind === "set") {
    // ["KPIs", "D5", value]: as an officer typing into the cell
    const [name, address, value] = args;
    const sheet = sheetOf(b, name);
    const { r, c } = parseAddress(address);
    writeCell(sheet, r, c, value);
  } else if (kind === "swap_rows") {
    // ["KPIs", 5, 6]: 1-based rows, as a sort would leave them
    const [name, a, bRow] = args;
    const sheet = sheetOf(b, name);
    moveRows(sheet, (r) => (r === a - 1 ? bRow - 1 : r === bRow - 1 ? a - 1 : r));
  } else if (kind === "insert_row") {
    // ["KPIs", 5]: a blank row inserted at row 5 (cells only; tables and rules are not moved)
    const [name, at] = args;
    const sheet = sheetOf(b, name);
    moveRows(sheet, (r) => (r >= at - 1 ? r + 1 : r));
  } else if (kind === "delete_row") {
    const [name, at] = args;
    const sheet = sheetOf(b, name);
    moveRows(sheet, (r) => (r === at - 1 ? null : r >= at ? r - 1 : r));
  } else {
    throw new Error(`unknown mutation ${kind}`);
  }
  out.mutated = (out.mutated || 0) + 1;
}

// ---------------------------------------------------------------- load, click, report

async function main() {
  const staticDir = job.xlwings_static;
  const index = path.join(staticDir, "js", "custom-scripts", "index.js");
  await import(pathToFileURL(index).href);
  vm.runInThisContext(fs.readFileSync(path.join(staticDir, "js", "auth.js"), "utf8"), { filename: "auth.js" });
  vm.runInThisContext(fs.readFileSync(job.addin_js, "utf8"), { filename: path.basename(job.addin_js) });
  for (const listener of domListeners.DOMContentLoaded || []) await listener();

  // What loading the page cost is not part of the click.
  const loadSyncs = recorder.syncs.length;
  recorder.syncs.length = 0;
  recorder.syncCalls = 0;
  out.load_syncs = loadSyncs;
  currentLog = out.requests;

  const handler = associated[job.button];
  if (!handler) throw new Error(`no function is associated with '${job.button}' (have: ${Object.keys(associated).join(", ")})`);
  const started = Date.now();
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("event.completed() was not called within the timeout")),
      (job.timeout_s || 600) * 1000);
    const event = { completed: () => { clearTimeout(timer); out.completed = true; resolve(); }, source: { id: job.button } };
    Promise.resolve(handler(event)).catch((error) => out.errors.push(`button handler: ${error?.stack || error}`));
  });
  // xlAlert is not awaited by the client: let its dialog open before reporting.
  await new Promise((resolve) => setTimeout(resolve, 50));
  out.wall_ms = Date.now() - started;
}

try {
  await main();
} catch (error) {
  out.errors.push(error?.stack || String(error));
}
out.model = book.toJSON();
out.sync_calls = recorder.syncCalls;
out.syncs = recorder.syncs;
out.round_trips = recorder.syncs.length;
out.unknown_loads = recorder.unknownLoads;
out.unimplemented = [...new Set(recorder.unimplemented)];
fs.writeFileSync(job.output, JSON.stringify(out));
process.exit(0);
