"""The attack suite: what a pentester tries, as tests that run in CI on both engines.

- test_cross_scope: every GET with an id, every list, export, report and page, and every
  write, generated from the app's OpenAPI document and route table, against objects in and
  out of each caller's scope; anonymous access to every route but the public ones.
- test_masking: personal data in every output format (JSON, CSV, XLSX, HTML, PDF, pages)
  for roles with and without the right to see it, and in the server's access log.
- test_hostile_text: formulas, control and invisible characters, NUL, lone surrogates and
  10^5 characters through every intake and every renderer.
- test_otp_abuse: one-time codes never shown, single-use, attempt-capped, limited per
  number whatever its spelling, and no way for staff to act as a customer.
- test_concurrent_merges: crossed merges at the same moment.
- test_far_times: far-future, far-past and naive times on every time field.

Run: ``pytest tests/security`` (PostgreSQL on 127.0.0.1:5432, else its half is skipped).
"""
