"""Logs carry no personal data: phone and ID numbers in log lines are masked.

Access logs print query strings (`?phone=13812345678`) and errors quote values, so the
filter sits on the server's loggers rather than relying on each call site.
"""

from __future__ import annotations

import logging

from careloop.domain.privacy import mask_text

LOGGERS = ("uvicorn.access", "uvicorn.error", "careloop", "careloop.api", "careloop.security")


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the caller's bug; leave it be
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True


def install() -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, PersonalDataFilter) for f in logger.filters):
            logger.addFilter(PersonalDataFilter())
        for handler in logger.handlers:
            if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
                handler.addFilter(PersonalDataFilter())
