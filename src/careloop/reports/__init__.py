"""Rendering of the periodic reports (DOMAIN.md §5): a report is data, drawn three ways.

``model`` holds the data (tables of typed values, charts described as data), ``charts`` draws
with matplotlib (CJK font or a clean English fallback), ``render`` writes HTML, XLSX and PDF,
``cells`` keeps every text writable and inert. Rendering only: nothing here reads the store or
calls a service; ``services.monitoring.reports`` builds a ``model.Report`` and hands it over.
"""
