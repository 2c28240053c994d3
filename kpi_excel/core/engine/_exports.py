"""What ``kpi_excel.core.engine`` exports, imported together on first use (see the package's ``__getattr__``)."""

from kpi_excel.core.engine.checks import duplicate_codes
from kpi_excel.core.engine.options import RateOptions
from kpi_excel.core.engine.pipeline import rate_rows
from kpi_excel.core.engine.results import Assessment, Ratings

__all__ = ["rate_rows", "Ratings", "Assessment", "RateOptions", "duplicate_codes"]
