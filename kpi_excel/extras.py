"""The optional parts of kpi-excel, and the one line that says which to install.

A plain ``pip install kpi-excel`` gives every command except two doors that
need more: ``kpi-excel serve`` (the web add-in's server: the ``server`` extra)
and ``sql:`` sources (SQLAlchemy and a driver: the ``sql`` extra). Rather than
fail with ``No module named 'uvicorn'``, they call :func:`require`, which
raises :class:`~kpi_excel.errors.MissingExtraError`::

    kpi-excel serve needs the server extra: pip install "kpi-excel[server]"

``EXTRAS`` names, per extra in ``pyproject.toml``, the modules its
distributions install (a test keeps the two in step).
"""

from __future__ import annotations

from importlib.util import find_spec

from kpi_excel.errors import MissingExtraError

__all__ = ["EXTRAS", "missing", "require", "extra_for_module"]

# extra -> {distribution in pyproject.toml: the top-level module it installs}
EXTRAS: dict[str, dict[str, str]] = {
    "server": {"xlwings-server": "xlwings_server", "uvicorn": "uvicorn", "python-dotenv": "dotenv"},
    "sql": {"sqlalchemy": "sqlalchemy", "psycopg": "psycopg"},
}


def missing(extra: str, modules: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The modules of ``extra`` (or just ``modules`` of it) that cannot be imported."""
    wanted = modules if modules is not None else tuple(EXTRAS[extra].values())
    return tuple(name for name in wanted if find_spec(name) is None)


def require(extra: str, feature: str, modules: tuple[str, ...] | None = None) -> None:
    """Raise :class:`MissingExtraError` when ``feature`` cannot run without ``extra``.

    Only looks for the modules (nothing is imported), so it is cheap enough to
    call before every use.
    """
    absent = missing(extra, modules)
    if absent:
        raise MissingExtraError(feature, extra, absent)


def extra_for_module(name: str) -> str | None:
    """The extra that installs module ``name`` (or its top-level package), if any."""
    top = name.split(".", 1)[0]
    for extra, modules in EXTRAS.items():
        if top in modules.values():
            return extra
    return None
