"""Load a folder of exports into a typed, validated :class:`Dataset`.

``load(path)`` looks for one file per table named after it (``tickets.csv``, ``Tickets.CSV``,
``tickets.tsv``, ``tickets.xlsx``, ``tickets.parquet``; case does not matter), detects CSV
encodings, applies an optional column mapping, normalises full-width digits and stray spaces
(counting every change), converts each column to its type and checks every rule of
:mod:`csa.schema` (and each number column's plausible range), counts each CSV file's lines against
the rows read (a stray quote that swallows rows is named with its lines), then checks the dataset
as a whole: references between tables, the rules between tables (one row per customer and month,
a survey's ticket of the same customer and earlier, orders and tickets after signup: see
``data/README.md``), and dates within the accepted window (from 2000-01 to one month after the
data's last month, unless ``time_window`` says otherwise). Every problem found, in every table, is
collected; if there is any, :class:`~csa.errors.DataError` lists them all. Nothing is dropped or coerced silently: a
file, sheet, row or column that cannot be read as it is meant is a problem, never skipped.

The modules, in the order a load goes through them:

* :mod:`csa.io.dataset`: :class:`Dataset`, :class:`SourceInfo`, :class:`CheckResult` (what a load gives);
* :mod:`csa.io.mapping`: :func:`read_mapping`, an export's column names and values;
* :mod:`csa.io.files`: finding each table's file and reading it (CSV, TSV, Excel, Parquet);
* :mod:`csa.io.fast`: the Arrow fast paths, and ``_FAST``, which turns them off;
* :mod:`csa.io.values`: normalising and converting a column's values;
* :mod:`csa.io.table`: one table (header, mapping, columns, the table's rules);
* :mod:`csa.io.checks`: rules over tables and the dataset (keys, references, the time window);
* :mod:`csa.io.loader`: :func:`inspect` and :func:`load`, a whole folder;
* :mod:`csa.io.examples`: the rows and example values a problem shows.
"""

from .checks import EARLIEST, TIME_COLUMN
from .dataset import CheckResult, Dataset, SourceInfo
from .files import EXTENSIONS
from .loader import inspect, load
from .mapping import MAPPING_MAX_BYTES, read_mapping

__all__ = ["EARLIEST", "EXTENSIONS", "MAPPING_MAX_BYTES", "TIME_COLUMN", "CheckResult", "Dataset", "SourceInfo",
           "inspect", "load", "read_mapping"]
