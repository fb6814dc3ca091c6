"""`make bench`: python -m bench [--events N]."""

from __future__ import annotations

import argparse
import asyncio
import platform

from bench import (
    annual_run,
    audited_requests,
    benefits_monthly_run,
    certificates,
    collection_payments,
    event_to_effect,
    federation_daily,
    notices,
    rate_simulation,
)
from bench.infra import ROOT, endpoints
from bench.report import Summary
from bench.runtime import runtime_rows


async def main(
    total: int,
    households: int,
    notice_count: int,
    rest_seconds: float,
    payment_lines: int = 0,
    benefit_claims: int = 0,
    federation_records: int = 0,
    runtime_runs: int = 3,
    certificate_members: int = 0,
    effect_changes: int = 0,
) -> None:
    admin_dsn, kafka = endpoints()
    print(f"Kokuho benchmarks: {total} events each; {platform.processor() or platform.machine()}")
    # Every module's figures end in one table and .local/bench/latest.json: a module returns
    # rows (bench.report.Row); a line of text is printed and kept as it is (bench/README.md).
    summary = Summary()
    # The eventing runtime, three times each (min/median/max; goals judged on every run).
    summary.add(await runtime_rows(admin_dsn, kafka, total, runtime_runs))
    if rest_seconds:
        # Audited REST requests under open-loop load against a served eligibility process,
        # with /healthz of the same process as the baseline, and the audit sealing lag.
        summary.add(await audited_requests.run(admin_dsn, kafka, rest_seconds))
    if effect_changes:
        # P8: counter changes confirmed at eligibility until assessment's correction is on
        # Kafka, under audited reads at 100 req/s (python -m bench.event_to_effect).
        summary.add(await event_to_effect.run(admin_dsn, kafka, effect_changes))
    if households:
        # The assessment's annual run (本算定) at the city's scale, end to end until every
        # PremiumAssessed is on Kafka, against a raw COPY of the same assessment rows.
        summary.add(await annual_run.run(admin_dsn, kafka, households, 2026))
        # 料率改定試算: the same number of households under the current rates and a candidate,
        # against the reads alone (python -m bench.rate_simulation --households N).
        summary.add(await rate_simulation.run(admin_dsn, households))
    if payment_lines:
        # Collection: a payment file matched, ledgers saved, PaymentReceived on Kafka, against
        # a raw COPY of the same lines (python -m bench.collection_payments --lines N).
        summary.add(await collection_payments.run(admin_dsn, kafka, payment_lines))
    if benefit_claims:
        # Benefits: the monthly run over N claims until every event is on Kafka, against a raw
        # COPY of the same claim rows (python -m bench.benefits_monthly_run --claims N).
        summary.add(await benefits_monthly_run.run(admin_dsn, kafka, benefit_claims))
    if federation_records:
        # linkage-gateway: the federation's daily KKH-SKK file fetched, checked line by line and
        # reconciled, against a raw COPY of the same lines; a re-run changes nothing
        # (python -m bench.federation_daily --records N).
        summary.add(await federation_daily.run(admin_dsn, federation_records))
    if notice_count:
        # The annual run's notices as print files (resumable: python -m bench.notices).
        summary.add(notices.run(notice_count, 2, 2500, fresh=True, verapdf=True))
    if certificate_members:
        # The bulk certificate run: decision, print files and mailing lists for N members
        # (resumable: python -m bench.certificates).
        summary.add(certificates.run(certificate_members, 2, 10_000, fresh=True, verapdf=True))
    summary.close(ROOT / ".local" / "bench" / "latest.json", events=total)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument(
        "--runtime-runs",
        type=int,
        default=3,
        help="runs of each eventing-runtime measure (min/median/max are reported)",
    )
    parser.add_argument(
        "--households",
        type=int,
        default=150_000,
        help="annual-run size (the city scale); 0 skips it",
    )
    parser.add_argument(
        "--notices",
        type=int,
        default=150_000,
        help="premium notices rendered as print files (the annual run); 0 skips it",
    )
    parser.add_argument(
        "--rest-seconds",
        type=float,
        default=10.0,
        help="seconds of open-loop load per REST measurement; 0 skips them",
    )
    parser.add_argument(
        "--payment-lines",
        type=int,
        default=300_000,
        help="lines of the collection payment file imported; 0 skips it",
    )
    parser.add_argument(
        "--benefit-claims",
        type=int,
        default=300_000,
        help="claims of the benefits monthly run (about a third as many households); 0 skips it",
    )
    parser.add_argument(
        "--federation-records",
        type=int,
        default=220_000,
        help="records of the federation's daily continuation file; 0 skips it",
    )
    parser.add_argument(
        "--certificate-members",
        type=int,
        default=220_000,
        help="members of the bulk certificate run (decision, PDFs, print file); 0 skips it",
    )
    parser.add_argument(
        "--effect-changes",
        type=int,
        default=200,
        help="counter changes of the event-to-effect bench (P8); 0 skips it",
    )
    args = parser.parse_args()
    asyncio.run(
        main(
            args.events,
            args.households,
            args.notices,
            args.rest_seconds,
            args.payment_lines,
            args.benefit_claims,
            args.federation_records,
            args.runtime_runs,
            args.certificate_members,
            args.effect_changes,
        )
    )
