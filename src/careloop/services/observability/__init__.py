"""What an operator watches: readiness checks, scrape-time figures and job run records.

Read by the probes and ``/metrics`` (``careloop.observability``) and written by the job
runners; the figures are the workbench's own rules (``services.sla.states``), not a copy.
"""
