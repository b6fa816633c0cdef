"""Pure domain rules: no I/O, no wall clock, no web or database code."""
