"""Request plumbing that both HTTP channels share: the API (`careloop.api`) and the pages
(`careloop.web`).

Each channel imports what it needs from here and never from the other, so neither depends
on the other's internals; `api/app.py`, the HTTP composition, is the one place that mounts
both on one application.

- `cookies`: the session and language cookies' names.
- `language`: the caller's language from Accept-Language.
- `problems`: an RFC 9457 problem+json answer (API errors, and middleware refusals of API
  paths whichever channel's middleware refuses).
- `dependencies`: the unit of work, the clock, the client address, the person behind a
  token, and `LoginRequired` for pages that need one.
"""
