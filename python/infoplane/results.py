"""Reads InfoPlane's results into pandas without Spark or a JVM: the CSV files a report writes beside its
figures (:func:`read_report`) and the warehouse's Iceberg tables themselves (:func:`read_table`, through
PyIceberg's static tables over the file catalog's metadata). Needs the ``tables`` extra
(``pip install 'infoplane[tables]'``: pandas, and for :func:`read_table` PyIceberg and PyArrow).
"""
import pathlib
from typing import Dict, List, Optional
from urllib.parse import urlparse

__all__ = ["REPORT_FILES", "read_report", "read_table", "table_names", "table_metadata"]

#: The CSV files of a report (docs/tables.md, "Report files"), by name without ``.csv``.
REPORT_FILES = ("plane", "widths", "metrics", "dpi", "phases", "early_stopping")

#: The namespace of the tables in the warehouse (``infoplane.namespace``).
DEFAULT_NAMESPACE = "ip"


def read_report(directory) -> Dict[str, "pandas.DataFrame"]:  # noqa: F821
    """The rows behind a report's figures and tables, one DataFrame per CSV file it wrote.

    Parameters
    ----------
    directory : the report's directory (``infoplane report --out DIR``)

    Returns
    -------
    dict
        ``{"plane": ..., "widths": ..., "metrics": ..., "dpi": ..., "phases": ..., "early_stopping": ...}``
        for the files present; ``plane`` has a row per run, split, checkpoint and layer with I(X;T),
        I(T;Y) and their bootstrap intervals in bits and the width σ. Empty fields are NaN.

    Raises
    ------
    FileNotFoundError
        when the directory holds no ``plane.csv`` (not a report, or one written before the CSV files).
    """
    import pandas as pd

    d = pathlib.Path(directory)
    if not (d / "plane.csv").is_file():
        raise FileNotFoundError("%s holds no plane.csv: not a report directory of infoplane report (or one written"
                                " by a version before the CSV files)" % d)
    # round_trip: the files hold each double in its shortest round-trip form; read back the same bits
    return {name: pd.read_csv(d / (name + ".csv"), float_precision="round_trip")
            for name in REPORT_FILES if (d / (name + ".csv")).is_file()}


def _local(warehouse) -> pathlib.Path:
    text = str(warehouse)
    parsed = urlparse(text)
    if parsed.scheme in ("", "file"):
        return pathlib.Path(parsed.path if parsed.scheme else text)
    raise ValueError("read_table reads a warehouse on the local file system, got %s; for another file system use"
                     " infoplane sql, or PyIceberg with that file system's settings" % text)


def table_metadata(warehouse, table: str, namespace: str = DEFAULT_NAMESPACE) -> pathlib.Path:
    """The current metadata file of a table of the file catalog (``<warehouse>/<namespace>/<table>/metadata``):
    the version ``version-hint.text`` names, else the highest ``vN.metadata.json``."""
    meta = _local(warehouse) / namespace / table / "metadata"
    if not meta.is_dir():
        known = table_names(warehouse, namespace)
        raise FileNotFoundError("no table %s.%s in the warehouse %s; tables: %s" % (
            namespace, table, warehouse, ", ".join(known) if known else "(none: analyse an archive first)"))
    hint = meta / "version-hint.text"
    if hint.is_file():
        f = meta / ("v%s.metadata.json" % hint.read_text().strip())
        if f.is_file():
            return f
    versions = sorted((int(p.name[1:-len(".metadata.json")]), p) for p in meta.glob("v*.metadata.json")
                      if p.name[1:-len(".metadata.json")].isdigit())
    if not versions:
        raise FileNotFoundError("the table %s.%s has no metadata file in %s" % (namespace, table, meta))
    return versions[-1][1]


def table_names(warehouse, namespace: str = DEFAULT_NAMESPACE) -> List[str]:
    """The tables of a namespace of the warehouse, sorted."""
    d = _local(warehouse) / namespace
    return sorted(p.name for p in d.iterdir() if (p / "metadata").is_dir()) if d.is_dir() else []


def read_table(warehouse, table: str, *, namespace: str = DEFAULT_NAMESPACE, row_filter: Optional[str] = None,
               columns: Optional[List[str]] = None) -> "pandas.DataFrame":  # noqa: F821
    """A table of the warehouse as a DataFrame, read by PyIceberg without Spark or a JVM.

    Parameters
    ----------
    warehouse : the warehouse directory (``--warehouse``; a path or a ``file:`` URI)
    table : the table's name, e.g. ``information_plane``, ``runs``, ``dpi_tests`` (docs/tables.md)
    namespace : the namespace (``infoplane.namespace``, default ``ip``)
    row_filter : a PyIceberg filter expression, e.g. ``"run_id == 'r1'"`` (default: every row)
    columns : the columns to read (default: all)

    Returns the current snapshot's rows (the views of docs/tables.md are Spark SQL: build them from these
    tables with pandas, or read them from a report's CSV files).
    """
    try:
        from pyiceberg.table import StaticTable
    except ImportError as e:
        raise ImportError("read_table needs PyIceberg, PyArrow and pandas: pip install 'infoplane[tables]' (%s)"
                          % e) from e
    t = StaticTable.from_metadata(str(table_metadata(warehouse, table, namespace)))
    kwargs = {}
    if row_filter is not None:
        kwargs["row_filter"] = row_filter
    if columns is not None:
        kwargs["selected_fields"] = tuple(columns)
    return t.scan(**kwargs).to_pandas()
