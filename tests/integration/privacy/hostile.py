"""Complaints whose stored text carries personal data and hostile characters.

Intake cleans text now, but rows stored before it did (or by an import) are written here
directly through the store, as they would be found in a province's database.
"""

from __future__ import annotations

from sqlalchemy import update

from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models import Complaint, WorkOrder

PHONE = "13812345678"
SPACED_PHONE = "139 8765 4321"
ID_NUMBER = "11010119900307123X"
CARD = "6222 0212 3456 7890"
EMAIL = "sun.li@example.com"
PERSONAL = f"请回电 {SPACED_PHONE} 或 {PHONE}，身份证 {ID_NUMBER}，卡号 {CARD}，邮箱 {EMAIL}"
"""What a customer dictates into a complaint; none of it may reach a masked reader."""
FULL_SECRETS = (SPACED_PHONE, PHONE, ID_NUMBER, CARD, EMAIL)


def hostile_text(database_url: str) -> str:
    """Formula, control and invisible characters (no NUL on PostgreSQL: it cannot store it)."""
    nul = "\x00" if database_url.startswith("sqlite") else ""
    return f'=HYPERLINK("http://evil.example","x") {nul}\x01\x0b\x1b\u200b\u202e\ufeff$a$b$'


def store_text(database_url: str, complaint_id: int, **fields: str) -> None:
    """Overwrite a complaint's stored text columns, bypassing intake."""
    engine = make_engine(database_url)
    try:
        with UnitOfWork(make_session_factory(engine)) as uow:
            uow.session.execute(
                update(Complaint).where(Complaint.id == complaint_id).values(**fields)
            )
            uow.commit()
    finally:
        engine.dispose()


def store_work_order_text(database_url: str, order_id: int, **fields: str) -> None:
    engine = make_engine(database_url)
    try:
        with UnitOfWork(make_session_factory(engine)) as uow:
            uow.session.execute(update(WorkOrder).where(WorkOrder.id == order_id).values(**fields))
            uow.commit()
    finally:
        engine.dispose()


def leaked(text: str) -> list[str]:
    """The full personal values found in `text` (none, for a masked reader)."""
    return [secret for secret in FULL_SECRETS if secret in text]
