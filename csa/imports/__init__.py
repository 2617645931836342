"""``csa import``: raw vendor exports in, a csa data folder out, with an import report.

A team downloads its exports as they are — a Zendesk ticket export, a Google Forms or Microsoft
Forms survey, a Stripe subscriptions export (or a subscription event log), a Salesforce or HubSpot
account report — into one folder, and :func:`import_folder` writes the csa tables from them:

* each file is recognised by its columns (:mod:`csa.imports.detect`);
* the config says only what the files cannot (:mod:`csa.imports.config`): the business time zone
  and, per survey export, the survey, the scored question and the touchpoint; when something is
  missing the import stops and prints the YAML lines to add;
* records are linked to customers by id, organisation name and e-mail (never a free-mail domain);
  what does not link is kept as an unknown customer (:mod:`csa.imports.link`);
* subscriptions become customer-months by a stated month rule, the end-of-month snapshot by default
  (:mod:`csa.imports.months`);
* columns an export does not have are not written (no invented zeros or falses);
* the import report says, per file, what it was recognised as, rows in, rows written, rows skipped
  and why, and how records were linked (:mod:`csa.imports.report`).

The modules, in the order an import goes through them: :mod:`~csa.imports.text` (reading a raw file:
encodings, footers, times), :mod:`~csa.imports.detect`, :mod:`~csa.imports.config`,
:mod:`~csa.imports.crm`, :mod:`~csa.imports.stripe`, :mod:`~csa.imports.zendesk`,
:mod:`~csa.imports.forms`, :mod:`~csa.imports.link`, :mod:`~csa.imports.months`,
:mod:`~csa.imports.run` and :mod:`~csa.imports.report`.
"""

from .config import MONTH_RULES, ImportConfig, SurveySpec, read_config
from .errors import ImportRefused, MissingConfig
from .report import FileReport, ImportReport
from .run import REPORT_JSON, REPORT_MD, import_folder

__all__ = ["MONTH_RULES", "REPORT_JSON", "REPORT_MD", "FileReport", "ImportConfig", "ImportRefused", "ImportReport",
           "MissingConfig", "SurveySpec", "import_folder", "read_config"]
