"""Supervision use cases: inspections, dial tests, rectification tasks, responsibility cases."""
