"""Report builders (DOMAIN.md §5): a report is data (tables + charts), rendered three ways.

``model`` holds the data, ``charts`` draws with matplotlib (CJK font or a clean English
fallback), ``html``, ``xlsx`` and ``pdf`` render it. Nothing here touches the database: the
services build a ``Report`` and hand it over.
"""
