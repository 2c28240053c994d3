"""Put ``kpi_excel.xlam`` (and ``kpi_excel_pack.xlam``) where desktop Excel loads them, and tell their VBA which Python to run.

Where things go (from xlwings' own ``addin install`` and the add-in's VBA):

* **Windows**: the user's XLSTART folder ``%APPDATA%\\Microsoft\\Excel\\XLSTART``
  (Excel opens every add-in there at start-up, and it is a trusted location, so
  no macro prompt). The VBA's ``GetConfigFilePath`` reads
  ``%USERPROFILE%\\.<PROJECT_NAME>\\<PROJECT_NAME>.conf``; in the ribbon template
  ``PROJECT_NAME`` is ``myaddin``, which the build changes to ``kpi_excel``
  (:mod:`kpi_excel.addin.vba_edit`), so the interpreter goes into
  ``%USERPROFILE%\\.kpi_excel\\kpi_excel.conf`` as ``"INTERPRETER_WIN","<python.exe>"``,
  with ``"ADD_WORKBOOK_TO_PYTHONPATH","false"`` (see :data:`ADDIN_SETTINGS`). An older
  install's ``.myaddin\\myaddin.conf`` is carried over and removed if only we wrote it.
  (``~/.xlwings/xlwings.conf`` is the *xlwings* add-in's file: this VBA never
  reads it, so we do not touch it.)
* **macOS** (sandboxed Excel 2016 and later): the start-up folder
  ``~/Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel``;
  the config ``~/Library/Containers/com.microsoft.Excel/Data/kpi_excel.conf`` with
  ``INTERPRETER_MAC``; and, because RunPython goes through ``AppleScriptTask``,
  xlwings' ``xlwings-<version>.applescript`` in
  ``~/Library/Application Scripts/com.microsoft.Excel``.
* **Anywhere else** there is no desktop Excel: we say what would be done on
  Windows and macOS and write nothing.

The config file is read by VBA's ``Open ... For Input`` / ``Input #``, which
takes bytes in the system's ANSI code page on Windows (cp1252 on English
Windows; no BOM, or the first key would not match) and ends lines as VBA's
``Write #`` does, CR LF. On macOS it is UTF-8 with LF, as xlwings' own
``xlwings config`` writes it. :func:`conf_format` says which, and
:func:`conf_bytes` refuses a path the code page cannot hold rather than
writing one VBA would misread.

Everything is computed by :func:`plan_install` from explicit inputs (platform,
environment, interpreter), so tests point HOME/APPDATA at a temporary folder and
fake the platform; :func:`apply_plan` does the writing. Paths use this
machine's path type (so a faked Windows install on Linux writes under the
temporary APPDATA); the describe-only branch uses Windows/POSIX paths as text.
"""

from __future__ import annotations

import locale
import os
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from typing import Mapping

from kpi_excel.addin.xlam import (
    ADDINS,
    PINNED_XLWINGS,
    TEMPLATE_PROJECT_NAME,
    VBA_PROJECT_NAME,
    AddinError,
    build_xlam,
)

__all__ = [
    "ADDIN_SETTINGS",
    "Step",
    "InstallPlan",
    "current_platform",
    "plan_install",
    "apply_plan",
    "read_conf",
    "conf_text",
    "conf_format",
    "conf_bytes",
]

MAC_OFFICE_GROUP = "UBF8T346G9.Office"
MAC_STARTUP = ("Library", "Group Containers", MAC_OFFICE_GROUP, "User Content.localized", "Startup.localized", "Excel")
MAC_SANDBOX_DATA = ("Library", "Containers", "com.microsoft.Excel", "Data")
MAC_SCRIPTS = ("Library", "Application Scripts", "com.microsoft.Excel")

# Settings the add-in needs on every machine, beside the interpreter. RunPython
# puts the workbook's folder on sys.path unless ADD_WORKBOOK_TO_PYTHONPATH is
# false; for a workbook whose FullName is a SharePoint/OneDrive address not
# synced to the PC (and on Macs) xlwings cannot map it to a folder and fails
# before kpi_excel starts. kpi_excel is imported from site-packages, so no
# folder is needed - and none beside a workbook can shadow kpi_excel.
ADDIN_SETTINGS = (("ADD_WORKBOOK_TO_PYTHONPATH", "false"),)


@dataclass(frozen=True)
class Step:
    """One thing the install does. ``kind``: ``build`` | ``conf`` | ``copy``.

    ``legacy``: for ``conf``, the file an older kpi_excel wrote (xlwings'
    template name, ``myaddin.conf``): its settings are carried over, and it is
    removed when it holds nothing but ours.
    """

    kind: str
    target: PurePath
    detail: str
    source: Path | None = None
    settings: tuple[tuple[str, str], ...] = ()
    legacy: PurePath | None = None


@dataclass(frozen=True)
class InstallPlan:
    platform: str  # "windows" | "macos" | anything else: nothing is written
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = ()

    @property
    def writes(self) -> bool:
        return self.platform in ("windows", "macos")

    def describe(self) -> list[str]:
        lines = [f"{i}. {step.detail}" for i, step in enumerate(self.steps, start=1)]
        return lines + list(self.notes)


def current_platform() -> str:
    """``windows``, ``macos``, or ``sys.platform`` where there is no desktop Excel."""
    if sys.platform.startswith("win"):
        return "windows"
    if sys.platform == "darwin":
        return "macos"
    return sys.platform


def _windows_steps(env: Mapping[str, str], interpreter: str, project: str, path: type[PurePath] = Path) -> list[Step]:
    appdata, profile = env.get("APPDATA"), env.get("USERPROFILE")
    if not appdata or not profile:
        raise AddinError("APPDATA and USERPROFILE must be set to install the add-in on Windows.")
    startup = path(appdata, "Microsoft", "Excel", "XLSTART")
    conf, legacy = (path(profile, f".{name}", f"{name}.conf") for name in (project, TEMPLATE_PROJECT_NAME))
    return [
        *_build_steps(startup),
        Step("conf", conf, f'set "INTERPRETER_WIN" to {interpreter} and {_settings_text()} in {conf}',
             settings=(("INTERPRETER_WIN", interpreter), *ADDIN_SETTINGS), legacy=legacy),
    ]


def _settings_text() -> str:
    return ", ".join(f'"{key}" to {value}' for key, value in ADDIN_SETTINGS)


def _build_steps(startup: PurePath) -> list[Step]:
    """Both add-ins (Refresh KPIs; the committee paper) into the start-up folder; they share one tab."""
    return [Step("build", startup / name, f"write the add-in to Excel's start-up folder: {startup / name}")
            for name, _ in ADDINS]


def _macos_steps(env: Mapping[str, str], interpreter: str, project: str, path: type[PurePath] = Path) -> list[Step]:
    home = env.get("HOME")
    if not home:
        raise AddinError("HOME must be set to install the add-in on macOS.")
    startup = path(home, *MAC_STARTUP)
    conf, legacy = (path(home, *MAC_SANDBOX_DATA, f"{name}.conf") for name in (project, TEMPLATE_PROJECT_NAME))
    script_name = f"xlwings-{PINNED_XLWINGS}.applescript"
    script = Path(str(resources.files("xlwings") / script_name))
    scripts_dir = path(home, *MAC_SCRIPTS)
    return [
        *_build_steps(startup),
        Step("conf", conf, f'set "INTERPRETER_MAC" to {interpreter} and {_settings_text()} in {conf}',
             settings=(("INTERPRETER_MAC", interpreter), *ADDIN_SETTINGS), legacy=legacy),
        Step("copy", scripts_dir / script_name,
             f"copy xlwings' {script_name} to {scripts_dir} (RunPython on macOS calls it through AppleScriptTask)",
             source=script),
    ]


def plan_install(
    *,
    platform: str | None = None,
    env: Mapping[str, str] | None = None,
    interpreter: str | None = None,
    path: type[PurePath] = Path,
) -> InstallPlan:
    """Work out the install steps for ``platform`` without touching anything.

    ``path`` is the path type of the targets: this machine's ``Path`` for a plan
    to carry out, or ``PureWindowsPath``/``PurePosixPath`` to see exactly what
    a Windows or macOS machine would get (tests; :func:`apply_plan` refuses those).
    """
    platform = platform or current_platform()
    env = os.environ if env is None else env
    interpreter = interpreter or sys.executable
    project = VBA_PROJECT_NAME  # the name build_xlam gives the VBA's PROJECT_NAME
    if platform == "windows":
        return InstallPlan(platform, tuple(_windows_steps(env, interpreter, project, path)),
                           ("Quit Excel first; it loads the add-in from the start-up folder when it starts.",))
    if platform == "macos":
        return InstallPlan(platform, tuple(_macos_steps(env, interpreter, project, path)),
                           ("Quit Excel (Cmd-Q) first. On first use Excel may ask to enable the add-in's macros.",))
    # No desktop Excel here: show both, with placeholders for the user's folders.
    win = _windows_steps({"APPDATA": r"%APPDATA%", "USERPROFILE": r"%USERPROFILE%"}, r"<path to python.exe>", project,
                         PureWindowsPath)
    mac = _macos_steps({"HOME": "~"}, "<path to python3>", project, PurePosixPath)
    notes = (
        f"There is no desktop Excel on '{platform}', so nothing was written.",
        "On Windows 'kpi-excel addin install' would:",
        *[f"  - {s.detail}" for s in win],
        "On macOS it would:",
        *[f"  - {s.detail}" for s in mac],
        "Excel on the web and SharePoint use the web add-in instead: see 'kpi-excel serve' and docs/admin-guide.md.",
    )
    return InstallPlan(platform, (), notes)


def read_conf(text: str) -> list[tuple[str, str]]:
    """Parse an xlwings-style conf file: one ``"KEY","VALUE"`` pair a line (VBA ``Write #``)."""
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        key, _, value = line.partition(",")
        pairs.append((key.strip().strip('"'), value.strip().strip('"')))
    return pairs


def conf_text(pairs: list[tuple[str, str]], newline: str) -> str:
    for key, value in pairs:
        if '"' in key or '"' in value:
            raise AddinError(f"Cannot write {key}: VBA's config reader cannot read a value containing a quote.")
    return "".join(f'"{key}","{value}"{newline}' for key, value in pairs)


def conf_format(platform: str) -> tuple[str, str]:
    """(encoding, newline) of the config file the add-in's VBA reads on ``platform``.

    Windows: the ANSI code page VBA reads text files in (this machine's, or
    cp1252, English Windows', when planning for Windows from elsewhere), CR LF.
    macOS: UTF-8, LF.
    """
    if platform == "windows":
        ansi = locale.getencoding() if sys.platform.startswith("win") else "cp1252"
        return ansi, "\r\n"
    return "utf-8", "\n"


def conf_bytes(pairs: list[tuple[str, str]], platform: str, path: PurePath | str = "the config file") -> bytes:
    """The config file's bytes for ``platform``; an :class:`AddinError` if VBA could not read them back."""
    encoding, newline = conf_format(platform)
    text = conf_text(pairs, newline)
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as error:
        bad = text[error.start:error.end]
        raise AddinError(
            f"Cannot write {path}: the add-in's VBA reads it in the {encoding} code page, which has no "
            f"'{bad}'. Install Python in a folder whose path has only characters that code page has "
            "(for example C:\\Python311) and run this again from that Python."
        ) from None


def _merged_conf(path: Path, settings: tuple[tuple[str, str], ...], platform: str,
                 legacy: Path | None = None) -> bytes:
    """Our keys set, every other line the user already has kept (on a first install, from the old file),
    as the bytes VBA reads."""
    encoding, _ = conf_format(platform)
    source = path if path.exists() else legacy if legacy is not None and legacy.exists() else None
    existing = read_conf(source.read_text(encoding=encoding, errors="replace")) if source else []
    ours = dict(settings)
    merged = [(k, v) for k, v in existing if k.upper() not in {o.upper() for o in ours}] + list(ours.items())
    return conf_bytes(merged, platform, path)


# Every key an install of kpi_excel has written: an old file holding only these was ours alone.
OUR_KEYS = frozenset({"INTERPRETER_WIN", "INTERPRETER_MAC", *(key for key, _ in ADDIN_SETTINGS)})


def _retire_legacy(legacy: Path, platform: str) -> str | None:
    """Remove the old ``myaddin.conf`` if only kpi_excel wrote it; say what was done."""
    if not legacy.is_file():
        return None
    text = legacy.read_text(encoding=conf_format(platform)[0], errors="replace")
    keys = {key.upper() for key, _ in read_conf(text)}
    if not keys <= OUR_KEYS:
        # Every add-in made from xlwings' template reads myaddin.conf: these may be another add-in's settings.
        others = ", ".join(sorted(keys - OUR_KEYS))
        return (f"Left {legacy} in place: it holds settings kpi_excel did not write ({others}), which may "
                "belong to another add-in; kpi_excel's add-in no longer reads it.")
    legacy.unlink()
    if platform == "windows" and not any(legacy.parent.iterdir()):
        legacy.parent.rmdir()
    return f"Removed {legacy}: the add-in now reads its settings from the file above."


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.kpi-excel.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)  # never a half-written file (the user's other settings live in the conf)
    finally:
        tmp.unlink(missing_ok=True)


def apply_plan(plan: InstallPlan, log: list[str] | None = None) -> list[Path]:
    """Carry out the plan; returns the files written. Writes nothing off Windows/macOS.

    ``log`` gets a line for each older config file removed or left in place.

    Everything that can be refused (another machine's paths, a path the config
    file's code page cannot hold) is refused before the first file is written.
    """
    if not plan.writes:
        return []
    for step in plan.steps:
        if not isinstance(step.target, Path):
            raise AddinError(f"This plan was made for another machine's paths ({step.target}); nothing was written.")
    confs = {step.target: _merged_conf(step.target, step.settings, plan.platform,
                                       Path(step.legacy) if step.legacy is not None else None)
             for step in plan.steps if step.kind == "conf" and isinstance(step.target, Path)}
    written: list[Path] = []
    for step in plan.steps:
        target = Path(step.target)
        try:
            if step.kind == "build":
                ribbon = dict(ADDINS)[target.name]
                written.append(build_xlam(target.parent, ribbon=ribbon, name=target.name))
            elif step.kind == "conf":
                _write(target, confs[target])
                written.append(target)
                said = _retire_legacy(Path(step.legacy), plan.platform) if step.legacy is not None else None
                if said and log is not None:
                    log.append(said)
            elif step.kind == "copy":
                assert step.source is not None
                _write(target, step.source.read_bytes())
                written.append(target)
        except OSError as error:  # on Windows, mostly Excel holding the add-in open (PermissionError)
            raise AddinError(f"Could not write {target}: {error.strerror or error}. "
                             "Quit Excel and try again.") from None
    return written
