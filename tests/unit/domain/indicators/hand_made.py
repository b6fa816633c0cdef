"""The small hand-made data set the indicator tests share; every expected answer is worked by
hand in the test that uses it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from careloop.domain.indicators.facts import ComplaintFact, StageFact
from careloop.domain.indicators.users import SubscriberCount

T0 = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
CLOSED = T0 + timedelta(days=2)


def complaint(
    ident: int,
    region: str,
    *,
    escalated: bool = False,
    appeal: bool = False,
    repeat: bool = False,
    closed: bool = True,
    reopened: bool = False,
) -> ComplaintFact:
    return ComplaintFact(
        id=ident,
        accepted_at=T0,
        region_code=region,
        category_code="billing",
        escalated=escalated,
        regulator_appeal=appeal,
        is_repeat=repeat,
        closed_at=CLOSED if closed else None,
        reopened=reopened,
    )


# The data set. gz = Guangzhou, sz = Shenzhen.
#
#  id region escalated appeal repeat closed reopened
#   1  gz       yes     yes     -     yes     -
#   2  gz        -       -     yes    yes     -
#   3  gz        -       -      -     yes    yes
#   4  gz        -       -      -     yes     -
#   5  gz        -       -      -      -      -      (still open)
#   6  sz       yes     yes    yes    yes     -
#   7  sz        -       -      -     yes     -
#   8  sz        -       -      -     yes     -
#   9  sz       yes      -      -      -      -      (escalated, appeal not accepted; open)
#  10  sz        -       -      -     yes     -
COMPLAINTS = [
    complaint(1, "gz", escalated=True, appeal=True),
    complaint(2, "gz", repeat=True),
    complaint(3, "gz", reopened=True),
    complaint(4, "gz"),
    complaint(5, "gz", closed=False),
    complaint(6, "sz", escalated=True, appeal=True, repeat=True),
    complaint(7, "sz"),
    complaint(8, "sz"),
    complaint(9, "sz", escalated=True, closed=False),
    complaint(10, "sz"),
]


# Users: gz 390 000 in January and 410 000 in February (average 400 000), sz 600 000 both
# months; the user base over the two months is 400 000 + 600 000 = 1 000 000.
PHONE_USERS = "mobile + fixed-line phone users"
SUBSCRIBERS = [
    SubscriberCount("gz", date(2025, 1, 1), 390_000, PHONE_USERS),
    SubscriberCount("gz", date(2025, 2, 1), 410_000, PHONE_USERS),
    SubscriberCount("sz", date(2025, 1, 1), 600_000, PHONE_USERS),
    SubscriberCount("sz", date(2025, 2, 1), 600_000, PHONE_USERS),
]


STAGES = [
    # 2 h, finished an hour before its limit → on time; 2 working hours
    StageFact(finished_at=T0 + timedelta(hours=2), due_at=T0 + timedelta(hours=3), started_at=T0,
              work_minutes=120),
    # 4 h, finished exactly at its limit → on time; 4 working hours
    StageFact(finished_at=T0 + timedelta(hours=4), due_at=T0 + timedelta(hours=4), started_at=T0,
              work_minutes=240),
    # 24 h, limit was 12 h → late; one working day of 9 hours (08:30–17:30) in those 24 h
    StageFact(finished_at=T0 + timedelta(hours=24), due_at=T0 + timedelta(hours=12), started_at=T0,
              work_minutes=540),
    # not finished: neither on time nor late yet, and no duration
    StageFact(finished_at=None, due_at=T0 + timedelta(hours=1), started_at=T0),
]  # fmt: skip
