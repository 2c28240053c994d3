"""Static files that cannot leave their folders.

xlwings Server 1.20.0 (the newest release, and its main branch) serves
``/static`` with ``OverridableStaticFiles``, whose ``lookup_path`` joins the
requested path onto the project's static folder and serves it if it is a file,
*without* checking the result stays inside the folder. Starlette has already
decoded ``%2f`` to ``/`` and normalised the path to ``../../etc/passwd``, so
``/static/..%2f..%2f..%2fetc%2fpasswd`` reads any file the server may read.

:func:`contain_static_files` replaces every static mount of the app with
:class:`ContainedStaticFiles`: the same folders in the same order (the
project's files first, then xlwings Server's), looked up with Starlette's own
check that the real path (symlinks resolved) is inside one of them.
:class:`~kpi_excel.addin.server.security.PathGuard` refuses the tricks before
any lookup; this is the second wall.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

__all__ = ["ContainedStaticFiles", "contain_static_files"]


class ContainedStaticFiles(StaticFiles):
    """Files from ``directories`` (first match wins), never from anywhere else."""

    def __init__(self, directories: list[Path]) -> None:
        super().__init__(directory=directories[0], check_dir=False, follow_symlink=False)
        self.all_directories = [str(Path(d).resolve()) for d in directories if Path(d).is_dir()]

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        parts = Path(path).parts
        if not path or Path(path).is_absolute() or ".." in parts or any(p.startswith(".") for p in parts):
            return "", None  # no climbing, no absolute paths, no dot-files
        full_path, stat = super().lookup_path(path)  # Starlette: realpath must stay inside the folder
        if stat is None:
            return "", None
        real = Path(full_path).resolve()
        if not any(real.is_relative_to(directory) for directory in self.all_directories):
            return "", None  # belt and braces: Starlette's check, said again in pathlib
        return str(real), stat


def contain_static_files(app: Any) -> list[str]:
    """Swap each static mount of the FastAPI ``app`` for a contained one; returns the mount paths."""
    swapped = []
    for route in app.router.routes:
        if not isinstance(route, Mount) or not isinstance(route.app, StaticFiles):
            continue
        served = route.app
        user_dir = getattr(served, "user_dir", None)  # xlwings Server's OverridableStaticFiles
        package_dir = getattr(served, "package_dir", None)
        if user_dir is not None and package_dir is not None:
            directories = [Path(user_dir), Path(package_dir)]
        else:
            directories = [Path(d) for d in served.all_directories]
        contained = ContainedStaticFiles(directories)
        route.app = contained
        route._base_app = contained  # Starlette keeps both; url_path_for reads the route, not the app
        swapped.append(route.path)
    return swapped
