"""The package version, in a module of its own so that any module may name it
without importing the package's ``__init__`` (and through it the desktop add-in)."""

__all__ = ["__version__"]

# pyproject.toml reads it from here (tests/test_packaging.py checks).
__version__ = "0.6.1"
