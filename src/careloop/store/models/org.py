"""The organisation tree and its staff (DOMAIN.md §2)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careloop.store.models.base import Base
from careloop.store.types import UTCDateTime


class OrgUnit(Base):
    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    dept_type: Mapped[str | None] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    path: Mapped[str] = mapped_column(String(400), index=True)
    """Materialised path of ids, "/1/4/17/": subtree queries are a prefix match."""
    area: Mapped[str | None] = mapped_column(String(10))
    """``urban`` or ``rural`` (``domain.vocabulary.AREAS``); a unit without one takes its
    nearest ancestor's."""

    __table_args__ = (
        # PostgreSQL: LIKE 'prefix%' by index whatever the database collation (0005).
        Index(
            "ix_org_units_path_prefix",
            "path",
            postgresql_ops={"path": "varchar_pattern_ops"},
        ).ddl_if(dialect="postgresql"),
    )


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """No longer counted: wrong passwords are counted per (username, client address) in
    ``login_throttles`` (store/models/access.py); this and ``locked_until`` stay zero."""
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
