"""Dataset-level views: one module per notebook.

A view takes a :class:`~csa.Dataset` and the notebook's parameters and returns the tidy tables,
the sentences (in the report's language) and the headline record the notebook shows. Views use
:mod:`csa.metrics` for every number; they never draw (charts are :mod:`csa.display`).
"""
