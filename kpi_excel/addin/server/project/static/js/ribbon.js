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
