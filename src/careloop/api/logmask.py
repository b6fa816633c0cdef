"""Logs carry no personal data: phone, ID and card numbers in log lines are masked.

Access logs print query strings (`?phone=13812345678`, or `138%201234%205678` when the
number was typed with spaces) and errors quote values, so the filter sits on the server's
loggers rather than relying on each call site. It masks the message template and each
argument in place, keeping their shape: uvicorn's access formatter unpacks the arguments
tuple, so replacing it with a preformatted line would make every such record a logging
error (and lose the line).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_plus

from careloop.domain.privacy import shown

LOGGERS = ("uvicorn.access", "uvicorn.error", "careloop", "careloop.api", "careloop.security")


def masked(value: Any) -> Any:
    """`value` with personal data masked; numbers and other non-text values as they are.

    URL-encoded text is judged decoded (a space is `%20` or `+` in a query string), and
    given back decoded only when something in it had to be masked.
    """
    if isinstance(value, bool | int | float) or value is None:
        return value
    text = value if isinstance(value, str) else str(value)
    plain = shown(text, "text", unmasked=False) or ""
    if plain != text:
        return plain
    decoded = unquote_plus(text) if ("%" in text or "+" in text) else text
    hidden = shown(decoded, "text", unmasked=False) or ""
    if hidden != decoded:
        return hidden
    return value


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = masked(record.msg)
        args = record.args
        if isinstance(args, tuple):
            record.args = tuple(masked(a) for a in args)
        elif isinstance(args, Mapping):
            record.args = {k: masked(v) for k, v in args.items()}
        return True


def install() -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, PersonalDataFilter) for f in logger.filters):
            logger.addFilter(PersonalDataFilter())
        for handler in logger.handlers:
            if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
                handler.addFilter(PersonalDataFilter())
