"""Supervision and inspection: checklists, scoring, rectification and accountability rules."""
