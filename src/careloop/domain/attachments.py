"""What may be uploaded to a complaint from the page: the kinds of file a complaint needs
(photos of a bill or a modem, scanned letters, PDFs, office documents, call recordings)
and nothing a browser would run. The type is judged by the name's extension and, where the
format has a signature, by the first bytes too, so that a program renamed to .jpg is
refused; downloads are always served as attachments, never displayed inline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from careloop.domain.errors import DomainError

MAX_BYTES: Final = 10 * 1024 * 1024
"""At most 10 MiB per file (the site's request-size limit may be lower; the page says
which holds)."""


@dataclass(frozen=True, slots=True)
class FileKind:
    content_type: str
    signatures: tuple[bytes, ...] = ()
    """Possible first bytes; empty: the format has none (plain text)."""


_ZIP: Final = (b"PK\x03\x04",)
_OLE: Final = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
KINDS: Final[dict[str, FileKind]] = {
    "jpg": FileKind("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": FileKind("image/jpeg", (b"\xff\xd8\xff",)),
    "png": FileKind("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "gif": FileKind("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": FileKind("image/webp", (b"RIFF",)),
    "pdf": FileKind("application/pdf", (b"%PDF-",)),
    "txt": FileKind("text/plain"),
    "doc": FileKind("application/msword", _OLE),
    "xls": FileKind("application/vnd.ms-excel", _OLE),
    "docx": FileKind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP
    ),
    "xlsx": FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "mp3": FileKind("audio/mpeg", (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")),
    "wav": FileKind("audio/wav", (b"RIFF",)),
    "amr": FileKind("audio/amr", (b"#!AMR",)),
}


class UploadRefused(DomainError):
    """An upload refused with a reason in both of the users' languages (422)."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__("invalid_input", field="file", reason=zh)

    def message(self, lang: str = "zh") -> str:
        return self.en if lang.startswith("en") else self.zh


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def size_text(size: int) -> str:
    """1536 → 1.5 MB; people read file sizes in MB (KB below one)."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(size / 1024))} KB"


def check_upload(filename: str, data: bytes, limit: int = MAX_BYTES) -> FileKind:
    """The file's kind if it may be attached; `UploadRefused` saying why otherwise."""
    if not data:
        raise UploadRefused(
            "请选择要上传的文件（文件不能为空）", "Choose a file to upload (it is empty)"
        )
    limit = min(limit, MAX_BYTES)
    if len(data) > limit:
        raise UploadRefused(
            f"文件过大：{size_text(len(data))}，最大 {size_text(limit)}",
            f"The file is too large: {size_text(len(data))}, at most {size_text(limit)}",
        )
    kind = KINDS.get(extension(filename))
    allowed = "、".join(sorted({k for k in KINDS if k != "jpeg"}))
    if kind is None:
        raise UploadRefused(
            f"不支持这种文件类型。可上传：{allowed}",
            f"This type of file cannot be attached. Allowed: {allowed.replace('、', ', ')}",
        )
    if kind.signatures and not data.startswith(kind.signatures):
        raise UploadRefused(
            "文件内容与扩展名不符，请确认文件未损坏后重新上传",
            "The file's content does not match its extension; check the file and try again",
        )
    if not kind.signatures and b"\x00" in data[:4096]:
        raise UploadRefused("文本文件中含有二进制内容", "The text file holds binary content")
    return kind
