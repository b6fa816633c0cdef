"""Campaigns (同一内容多人举报): reports of one message, grouped as they arrive.

A new report's MinHash signature (domain.spam.fingerprints) is looked up by its band
digests among the campaigns' (one indexed query), the candidates are checked by their
estimated similarity, and the report joins the best one or starts a campaign. A batch (a
12321 file, an interception upload) is grouped in memory first, so a file of 10 000 rows
asks the database once per distinct message, not once per row.

A campaign's counts (reports, distinct reporters, its port) are recomputed from its
reports after each batch, so they are always what the reports say.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, insert, or_, select

from careloop.domain.spam import fingerprints as fp
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models.spam import (
    SpamCampaign,
    SpamCampaignBand,
    SpamCampaignReporter,
    SpamReport,
)


@dataclass
class _Cluster:
    campaign_id: int | None
    signature: tuple[int, ...]
    reports: list[dict[str, Any]]


def _candidates(uow: UnitOfWork, digests: Sequence[str]) -> list[fp.Candidate]:
    """The stored campaigns sharing at least one band digest (the LSH look-up)."""
    shares_a_band = or_(
        *(
            and_(SpamCampaignBand.band == band, SpamCampaignBand.digest == digest)
            for band, digest in enumerate(digests)
        )
    )
    ids = set(uow.session.scalars(select(SpamCampaignBand.campaign_id).where(shares_a_band)))
    if not ids:
        return []
    found = uow.session.execute(
        select(SpamCampaign.id, SpamCampaign.signature).where(SpamCampaign.id.in_(sorted(ids)))
    ).all()
    return [fp.Candidate(cid, tuple(sig)) for cid, sig in found]


def group(uow: UnitOfWork, reports: Sequence[dict[str, Any]]) -> set[int]:
    """Set each new report's ``campaign_id`` (its column values, not yet stored), starting
    campaigns for messages seen for the first time; returns the campaigns touched, whose
    counts ``refresh`` recomputes once the reports are stored."""
    clusters: list[_Cluster] = []
    by_digest: dict[str, int] = {}
    for report in reports:
        sig, digests = fp.fingerprint(report["text"])
        local = [
            fp.Candidate(i, clusters[i].signature)
            for i in sorted({by_digest[d] for d in digests if d in by_digest})
        ]
        index = fp.best_match(sig, local)
        if index is None:
            campaign_id = fp.best_match(sig, _candidates(uow, digests))
            index = len(clusters)
            clusters.append(_Cluster(campaign_id, sig, []))
            for digest in digests:
                by_digest.setdefault(digest, index)
        clusters[index].reports.append(report)
    touched: set[int] = set()
    for cluster in clusters:
        campaign_id = cluster.campaign_id
        if campaign_id is None:
            first = cluster.reports[0]
            campaign = SpamCampaign(
                signature=list(cluster.signature),
                sample_text=first["text"],
                port_id=first["port_id"],
                port_number=first["port_number"],
                kind=first["kind"],
                reports=0,
                reporters=0,
                first_at=first["received_at"],
                last_at=first["received_at"],
            )
            uow.session.add(campaign)
            uow.session.flush()
            campaign_id = campaign.id
            uow.session.add_all(
                SpamCampaignBand(campaign_id=campaign_id, band=band, digest=digest)
                for band, digest in enumerate(fp.band_digests(cluster.signature))
            )
        for report in cluster.reports:
            report["campaign_id"] = campaign_id
        touched.add(campaign_id)
    uow.session.flush()
    return touched


def refresh(uow: UnitOfWork, campaign_ids: set[int]) -> None:
    """Recompute the touched campaigns' counts, reporters, port and kind from their
    reports: the port most of them were attributed to, the kind most were judged."""
    for campaign_id in sorted(campaign_ids):
        campaign = uow.session.get(SpamCampaign, campaign_id)
        assert campaign is not None
        counts = uow.session.execute(
            select(
                func.count(),
                func.count(func.distinct(SpamReport.reporter_hash)),
                func.min(SpamReport.received_at),
                func.max(SpamReport.received_at),
            ).where(SpamReport.campaign_id == campaign_id)
        ).one()
        campaign.reports, campaign.reporters = int(counts[0]), int(counts[1])
        campaign.first_at, campaign.last_at = counts[2], counts[3]
        ports = Counter(
            (row[0], row[1])
            for row in uow.session.execute(
                select(SpamReport.port_id, SpamReport.port_number).where(
                    SpamReport.campaign_id == campaign_id
                )
            ).all()
        )
        registered = Counter({k: n for k, n in ports.items() if k[0] is not None})
        (campaign.port_id, campaign.port_number), _ = (registered or ports).most_common(1)[0]
        kinds = Counter(
            uow.session.scalars(
                select(SpamReport.kind).where(
                    SpamReport.campaign_id == campaign_id, SpamReport.kind.is_not(None)
                )
            )
        )
        if kinds:
            campaign.kind = kinds.most_common(1)[0][0]
        _refresh_reporters(uow, campaign_id)
    uow.session.flush()


def _refresh_reporters(uow: UnitOfWork, campaign_id: int) -> None:
    per_reporter = uow.session.execute(
        select(SpamReport.reporter_hash, func.count(), func.min(SpamReport.received_at))
        .where(SpamReport.campaign_id == campaign_id, SpamReport.reporter_hash.is_not(None))
        .group_by(SpamReport.reporter_hash)
    ).all()
    known = {
        r.reporter_hash: r
        for r in uow.session.scalars(
            select(SpamCampaignReporter).where(SpamCampaignReporter.campaign_id == campaign_id)
        )
    }
    fresh = []
    for reporter_hash, reports, first_at in per_reporter:
        assert reporter_hash is not None
        row = known.get(reporter_hash)
        if row is None:
            fresh.append(
                {
                    "campaign_id": campaign_id,
                    "reporter_hash": reporter_hash,
                    "reports": int(reports),
                    "first_at": first_at,
                }
            )
        elif row.reports != reports:
            row.reports = int(reports)
    if fresh:
        uow.session.execute(insert(SpamCampaignReporter), fresh)
