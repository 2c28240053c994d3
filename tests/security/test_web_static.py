"""Static files over real HTTP: no encoding of '..' reads a file outside the static folders.

Each hostile path is generated here and sent byte for byte on a socket (like
``curl --path-as-is``), to a real ``kpi-excel serve`` on loopback, with Entra ID
sign-in off and on. The target is a canary file with known content in the
test's temporary folder, /etc/passwd, and the server's own code and templates.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable, Iterator

import pytest

from kpi_excel.addin.server.config import PROJECT_DIR
from kpi_excel.addin.server.security import path_problem
from kpi_excel.addin.server.static import ContainedStaticFiles

from tests.addin.conftest import RunningServer, start_server, stop_server

from .web_helpers import raw_request

CANARY = "kpi-excel canary: this line must never leave the server"
DEPTH = 24  # more '..' than any folder is deep: '..' at the root stays at the root

def _mixed(segments: list[str]) -> str:
    """Each '..' and each slash written a different way, in turn."""
    dots, slashes = ["..", "%2e%2e", ".%2e", "%2E."], ["/", "%2f", "%5c", "%2F"]
    out = ""
    for i, segment in enumerate(segments):
        out += (dots[i % 4] if segment == ".." else segment) + (slashes[i % 4] if i < len(segments) - 1 else "")
    return out


# How an attacker writes "go up one folder, then on": each turns a list of path segments into URL text.
ENCODINGS: dict[str, Callable[[list[str]], str]] = {
    "plain ../": lambda s: "/".join(s),
    "..%2f": lambda s: "%2f".join(s),
    "..%2F": lambda s: "%2F".join(s),
    "%2e%2e/": lambda s: "/".join("%2e%2e" if p == ".." else p for p in s),
    "%2e%2e%2f": lambda s: "%2f".join("%2e%2e" if p == ".." else p for p in s),
    ".%2e/": lambda s: "/".join(".%2e" if p == ".." else p for p in s),
    "%252e%252e%252f (double)": lambda s: "%252f".join("%252e%252e" if p == ".." else p for p in s),
    "..%5c": lambda s: "%5c".join(s),
    "%2e%2e%5c": lambda s: "%5c".join("%2e%2e" if p == ".." else p for p in s),
    "raw backslash": lambda s: "\\".join(s),
    "....//": lambda s: "//".join("...." if p == ".." else p for p in s),
    "..././": lambda s: "/".join(".../." if p == ".." else p for p in s),
    "..;/": lambda s: "/".join("..;" if p == ".." else p for p in s),
    "%c0%ae overlong": lambda s: "/".join("%c0%ae%c0%ae" if p == ".." else p for p in s),
    "%u002e (IIS)": lambda s: "/".join("%u002e%u002e" if p == ".." else p for p in s),
    "fullwidth dots": lambda s: "%ef%bc%8f".join("%ef%bc%8e%ef%bc%8e" if p == ".." else p for p in s),
    "mixed per segment": lambda s: _mixed(s),
    "../ then %00": lambda s: "/".join(s) + "%00.png",
}


def _targets(canary: Path) -> dict[str, bytes]:
    """Every hostile request target, by name."""
    goals = {
        "canary": [p for p in canary.parts if p != "/"],
        "passwd": ["etc", "passwd"],
    }
    targets: dict[str, bytes] = {}
    for goal, parts in goals.items():
        segments = [".."] * DEPTH + parts
        for name, encode in ENCODINGS.items():
            targets[f"/static/ {name} -> {goal}"] = ("/static/" + encode(segments)).encode()
            targets[f"/ {name} -> {goal}"] = ("/" + encode(segments)).encode()
        absolute = "/" + "/".join(parts)
        targets[f"double slash -> {goal}"] = ("/static/" + absolute).encode()
        targets[f"triple slash -> {goal}"] = ("/static//" + absolute).encode()
        targets[f"%2f absolute -> {goal}"] = ("/static/%2f" + "%2f".join(parts)).encode()
        targets[f"%5c absolute -> {goal}"] = ("/static/%5c" + "%5c".join(parts)).encode()
        targets[f"file URL -> {goal}"] = ("/static/file:" + absolute).encode()
    # The server's own code and templates, one folder up from its static folder.
    for name, relative in {"app.py": "../../app.py", "scripts": "../custom_scripts/__init__.py",
                           "manifest template": "../templates/manifest.xml", "jwks": "../auth/entraid/jwks.py",
                           "xlwings config": "../config.py"}.items():
        targets[f"own code: {name}"] = ("/static/" + relative).encode()
        targets[f"own code %2f: {name}"] = ("/static/" + relative.replace("/", "%2f")).encode()
    targets["ADS ::$DATA"] = b"/static/js/ribbon.js::$DATA"
    targets["trailing dot"] = b"/static/js/ribbon.js."
    targets["dot segment in route"] = b"/manifest/../static/js/ribbon.js"
    return targets


SECRETS = (CANARY.encode(), b"root:x:0:0", b"def build_app", b"custom_scripts", b"<OfficeApp", b"get_jwks_json",
           b"class Settings")


@pytest.fixture(scope="module")
def canary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("canary") / "secret.txt"
    path.write_text(CANARY + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=["sign-in off", "sign-in on"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    tmp = tmp_path_factory.mktemp("static")
    env = {}
    if request.param == "sign-in on":
        env = {"XLWINGS_AUTH_PROVIDERS": '["entraid"]',
               "XLWINGS_AUTH_ENTRAID_TENANT_ID": "11111111-2222-3333-4444-555555555555",
               "XLWINGS_AUTH_ENTRAID_CLIENT_ID": "66666666-7777-8888-9999-000000000000",
               "KPI_EXCEL_ENTRAID_JWKS_FILE": str(tmp / "no-keys-here.json")}
    running = start_server(tmp, env)
    yield running
    stop_server(running)


def test_no_encoding_of_dot_dot_reads_a_file(server: RunningServer, canary: Path) -> None:
    targets = _targets(canary)
    assert len(targets) > 80
    leaked, answered = {}, {}
    for name, target in targets.items():
        response = raw_request(server.port, target)
        answered[name] = response.status
        if response.status == 200 or any(secret in response.body for secret in SECRETS):
            leaked[name] = (response.status, response.body[:80])
        assert len(response.body) < 200, (name, response.body[:200])  # a short refusal, not a page
    assert leaked == {}
    assert set(answered.values()) <= {400, 404}, answered
    # nothing was refused for want of a better answer: the server is still up and serving
    assert server.alive()
    assert raw_request(server.port, b"/static/js/ribbon.js").status == 200


def test_the_refusal_is_the_same_short_404_as_a_missing_file(server: RunningServer, canary: Path) -> None:
    missing = raw_request(server.port, b"/static/js/no-such-file.js")
    hostile = raw_request(server.port, b"/static/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd")
    assert missing.status == hostile.status == 404
    assert json.loads(hostile.body) == {"detail": "Not Found"}
    assert hostile.headers["x-content-type-options"] == "nosniff"


def test_static_files_and_the_manifest_stay_public(server: RunningServer) -> None:
    for target in (b"/manifest", b"/manifest.xml", b"/taskpane.html", b"/static/js/ribbon.js",
                   b"/static/images/icons/kpi-32.png", b"/static/js/utils.js", b"/static/css/core.css"):
        response = raw_request(server.port, target)
        assert response.status == 200, target
    # xlwings Server's own files come after ours: ribbon.js is kpi_excel's
    assert b"kpi_excel's ribbon buttons" in raw_request(server.port, b"/static/js/ribbon.js").body
    page = raw_request(server.port, b"/taskpane.html").body.decode()
    for link in [part.split('"', 1)[0] for part in page.split('src="')[1:] + page.split('href="')[1:]]:
        if link.startswith("/static/"):
            assert raw_request(server.port, link.encode()).status == 200, link


# --- the two walls, one at a time, without a server ------------------------------------------


@pytest.mark.parametrize("path, raw", [
    ("/static/../etc/passwd", None), ("/static/./js/ribbon.js", None), ("/static//etc/passwd", None),
    ("/static/js/", None), ("/static/....", None), ("/static/a\\..\\b", None), ("/static/js/ribbon.js.", None),
    ("/static/js/ribbon.js::$DATA", None), ("/static/C:/Windows/win.ini", None), ("/static/a\x00b", None),
    ("/static/../etc/passwd", b"/static/..%2fetc%2fpasswd"), ("/static/%2e%2e", b"/static/%252e%252e"),
    ("relative", None),
])
def test_path_guard_refuses(path: str, raw: bytes | None) -> None:
    assert path_problem(path, raw) is not None


@pytest.mark.parametrize("path", ["/", "/manifest", "/static/js/ribbon.js",
                                  "/static/vendor/office-js/16.0.20308.15050/dist/office.js",
                                  "/xlwings/custom-scripts-call/refresh_kpis", "/static/vendor/@alpinejs/x.js"])
def test_path_guard_lets_the_add_ins_urls_through(path: str) -> None:
    assert path_problem(path, path.encode()) is None


def test_contained_static_files_never_leave_their_folders(tmp_path: Path) -> None:
    ours, theirs, outside = tmp_path / "ours", tmp_path / "theirs", tmp_path / "outside"
    for folder in (ours, theirs, outside):
        folder.mkdir()
    (ours / "a.js").write_text("ours")
    (theirs / "a.js").write_text("theirs")
    (theirs / "b.js").write_text("theirs b")
    (outside / "secret.txt").write_text(CANARY)
    os.symlink(outside / "secret.txt", ours / "link.txt")  # a link inside pointing out
    os.symlink(outside, ours / "linked-folder")
    served = ContainedStaticFiles([ours, theirs])
    assert Path(served.lookup_path("a.js")[0]).read_text() == "ours"  # ours first
    assert Path(served.lookup_path("b.js")[0]).read_text() == "theirs b"  # then theirs
    for hostile in ("../outside/secret.txt", "../../" * 10 + str(outside / "secret.txt").lstrip("/"),
                    str(outside / "secret.txt"), "link.txt", "linked-folder/secret.txt", ".hidden", ""):
        assert served.lookup_path(hostile) == ("", None), hostile


def test_every_static_mount_of_the_app_is_contained() -> None:
    """The app's /static (and any other static mount) is ours, not xlwings Server's lookup."""
    import subprocess
    import sys

    code = ("import os; os.environ['XLWINGS_LICENSE_KEY']='noncommercial';"
            "from kpi_excel.addin.server.app import app;"
            "from xlwings_server.main import app as inner;"
            "from starlette.routing import Mount;"
            "from starlette.staticfiles import StaticFiles;"
            "mounts=[r for r in inner.router.routes if isinstance(r, Mount) and isinstance(r.app, StaticFiles)];"
            "print(len(mounts), sorted({type(r.app).__name__ for r in mounts}))")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XLWINGS_", "KPI_EXCEL_"))}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120,
                         cwd=PROJECT_DIR.parents[3])
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "1 ['ContainedStaticFiles']"
