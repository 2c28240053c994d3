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
  return "KPIs,Data,Settings";
}

async function kpiRun(scriptName, event) {
  try {
    const authResult =
      typeof globalThis.getAuth === "function"
        ? await globalThis.getAuth()
        : { token: "", provider: "" };
    await xlwings.runPython({
      scriptName: scriptName,
      include: await kpiScriptInclude(scriptName),
      auth: authResult.token,
      headers: { "Auth-Provider": authResult.provider },
    });
  } finally {
    event.completed();
  }
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
