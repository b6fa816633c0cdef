"""Quality indicators (质量指标, DOMAIN.md §4), one module per concern; import the one you need.

``catalogue`` the indicators and their objectives; ``formulas`` the only copy of each formula,
over counts; ``facts`` the same indicators over complaints, stages and callbacks one by one;
``users`` the user base behind per-user rates; ``rollup`` pooling along the org tree;
``periods`` reporting periods and 同比/环比; ``scorecards`` KPI scores with the one-vote veto;
``csi`` the satisfaction index and its grades.
"""
