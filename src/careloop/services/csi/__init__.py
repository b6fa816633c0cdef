"""Satisfaction-index studies (用户满意度指数测评): read a survey, load a model, estimate it
and weigh the index back to the population per operator × service × region.

The numbers come from ``careloop.domain.csi``; this package reads files, checks what a
quality department hands in and shapes the result the CLI, the reports and the page show.
"""
