"""``csa report``: run the report notebooks with papermill and publish code-free HTML.

The report sections are the notebooks marked ``report: true`` in ``notebooks/index.yaml`` (see
:mod:`csa.catalog`), in index order; ``--notebook PATH`` runs other notebooks instead. For each
section: the executed notebook and an HTML page without code, plus

* ``<notebook>.headline.json``: the headline records the notebook published (see
  :mod:`csa.headline`), when it published any;
* ``<notebook>.<list>.csv``: every list the notebook showed with :data:`TABLE_MIMETYPE` (e.g. the
  NPS follow-up lists), whole, linked under the table on the page and from the index;
* ``index.html``: a one-page summary of the headline records, then the sections with their
  status, run time, links and lists;
* ``sources.html``: ``notebooks/SOURCES.<lang>.md`` (else ``SOURCES.md``), the source articles, rendered;
* ``manifest.json``: format marker, parameters, input files with SHA-256, package versions, per
  notebook its status, duration, the parameters it ran with (its defaults included) and headline
  records, and ``files``: every other file of the report with its size and SHA-256.

The modules, each documenting its part:

* :mod:`csa.report.params`: the parameters a notebook declares, what they allow, and the checks
  every value passes before anything runs;
* :mod:`csa.report.pages`: a notebook as a code-free page in the report's language (tags, section
  numbers, navigation) and the sources page;
* :mod:`csa.report.index`: ``index.html`` (headline summary, sections, scorecard);
* :mod:`csa.report.lists`: the lists a notebook shows, as CSV files for spreadsheets;
* :mod:`csa.report.folder`: what ``--out`` may be (a report csa wrote, by its manifest), the lock,
  the atomic swap, the clean-up of what killed runs left;
* :mod:`csa.report.kernels`: the notebooks run, each in its own kernel, several at a time;
* :mod:`csa.report.run`: :func:`run_report`, the whole run (checks, the dataset cache, how many
  notebooks at once and in what order, the manifest, publication);
* :mod:`csa.report.cli`: the ``csa report`` command (:func:`add_parser`).
"""

from ..catalog import notebooks_dir
from .cli import add_parser
from .folder import DISPOSABLE, FORMAT, FORMAT_VERSION, READABLE_VERSIONS, NotAReport, ReportBusy, read_report
from .lists import TABLE_MIMETYPE, csv_cell, write_csv
from .pages import REMOVE_TAGS, renumber_sections
from .params import FLAG_PARAMETERS, Allowed, allowed_values, build_parameters, declared_parameters
from .run import report_notebooks, run_report

__all__ = ["DISPOSABLE", "FLAG_PARAMETERS", "FORMAT", "FORMAT_VERSION", "READABLE_VERSIONS", "REMOVE_TAGS",
           "TABLE_MIMETYPE", "Allowed", "NotAReport", "ReportBusy", "add_parser", "allowed_values",
           "build_parameters", "csv_cell", "declared_parameters", "notebooks_dir", "read_report",
           "renumber_sections", "report_notebooks", "run_report", "write_csv"]
