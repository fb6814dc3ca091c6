"""A small synthetic demo city (deterministic and idempotent): a few hundred households across
the acquisition and loss reasons, entered and confirmed by two synthetic clerks through the same
handlers as the API, so the events reach Kafka through the outbox once ``serve`` runs.

Every name, address and number here is made up."""

from __future__ import annotations

import random
from datetime import date, timedelta

import asyncpg

from kokuho.eligibility.adapters.postgres import PostgresUnit, Topics
from kokuho.eligibility.app import requests as rq
from kokuho.eligibility.app.service import EligibilityService
from kokuho.eligibility.config import Settings
from kokuho.eligibility.parameters import load_rules
from kokuho.platform.settings import ServiceSettings

SEED_NAME = "demo-city-v1"
ENTERING, CONFIRMING = "seed-clerk-1", "seed-clerk-2"

FAMILY = [
    ("山田", "ヤマダ"), ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"),
    ("田中", "タナカ"), ("渡辺", "ワタナベ"), ("伊藤", "イトウ"), ("中村", "ナカムラ"),
    ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("松本", "マツモト"),
    ("井上", "イノウエ"), ("木村", "キムラ"), ("林", "ハヤシ"), ("清水", "シミズ"),
]  # fmt: skip
MALE = [("太郎", "タロウ"), ("健一", "ケンイチ"), ("誠", "マコト"), ("大輔", "ダイスケ"),
        ("翔", "ショウ"), ("浩", "ヒロシ"), ("修", "オサム"), ("蓮", "レン")]  # fmt: skip
FEMALE = [("花子", "ハナコ"), ("陽子", "ヨウコ"), ("恵", "メグミ"), ("美咲", "ミサキ"),
          ("結衣", "ユイ"), ("和子", "カズコ"), ("優子", "ユウコ"), ("葵", "アオイ")]  # fmt: skip
WARDS = ["中区", "東区", "南区", "西区", "安佐南区", "安佐北区", "安芸区", "佐伯区"]
TOWNS = ["本町", "幸町", "旭町", "緑町", "若葉台", "桜が丘", "川内", "八幡"]
ID = rq.IdentityVerification(method="mn_card")


class Demo:
    def __init__(self, today: date) -> None:
        # fixed seed: the same city every time (demo data, not security)
        self.rng = random.Random(20261126)  # noqa: S311
        self.today = today
        self.next_addressee = 1_000_000_001

    def addressee(self) -> str:
        number = self.next_addressee
        self.next_addressee += 1
        return f"{number:010d}"

    def day_between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randrange(max((end - start).days, 1)))

    def details(
        self, family: tuple[str, str], sex: str, birth: date, address: str
    ) -> rq.PersonalDetails:
        given = self.rng.choice(MALE if sex == "male" else FEMALE)
        return rq.PersonalDetails(
            name=f"{family[0]}　{given[0]}",
            name_kana=f"{family[1]}　{given[1]}",
            sex=sex,  # type: ignore[arg-type]
            birth_date=birth,
            postal_code=f"73{self.rng.randrange(10)}-{self.rng.randrange(10000):04d}",
            address=address,
            phone=f"082-{self.rng.randrange(100, 999)}-{self.rng.randrange(10000):04d}",
        )

    def birth(self, min_age: int, max_age: int) -> date:
        start = date(self.today.year - max_age, 1, 1)
        end = date(self.today.year - min_age, 1, 1)
        return self.day_between(start, end)

    def household(self) -> tuple[rq.RegisterHouseholdIn, list[tuple[str, date]]]:
        """A household registration and its members' (addressee, birth date)."""
        rng = self.rng
        family = rng.choice(FAMILY)
        address = (
            f"広島市{rng.choice(WARDS)}{rng.choice(TOWNS)}{rng.randrange(1, 6)}丁目"
            f"{rng.randrange(1, 30)}-{rng.randrange(1, 20)}"
        )
        fact = self.day_between(self.today - timedelta(days=720), self.today - timedelta(days=30))
        late = rng.random() < 0.1
        notified = fact + timedelta(days=rng.randrange(15, 60) if late else rng.randrange(0, 14))
        notified = min(notified, self.today)
        reason = rng.choices(
            ["moved_in", "left_employee_insurance", "public_assistance_ended", "other"],
            weights=[60, 30, 8, 2],
        )[0]
        kind = rng.choices(
            ["single", "couple", "family", "elderly", "deemed"], [25, 20, 30, 15, 10]
        )[0]
        head_birth = self.birth(70, 74) if kind == "elderly" else self.birth(25, 69)
        head_sex = rng.choice(["male", "female"])
        head = self.addressee()
        members: list[rq.MemberIn] = []
        born: list[tuple[str, date]] = []

        def member(number: str, relationship: str, sex: str, birth: date) -> None:
            member_fact = max(fact, birth)
            members.append(
                rq.MemberIn(
                    addressee_number=number,
                    reason=reason,  # type: ignore[arg-type]
                    fact_date=member_fact,
                    notification_date=max(notified, member_fact),
                    relationship=relationship,  # type: ignore[arg-type]
                    effective_date=member_fact if reason == "other" else None,
                    details=self.details(family, sex, birth, address),
                )
            )
            born.append((number, birth))

        householder_details = None
        if kind == "deemed":
            # 擬制世帯主: the householder stays in employee insurance; the spouse is insured.
            householder_details = self.details(family, head_sex, head_birth, address)
            member(self.addressee(), "spouse", "female" if head_sex == "male" else "male",
                   head_birth + timedelta(days=rng.randrange(-900, 900)))  # fmt: skip
        else:
            member(head, "householder", head_sex, head_birth)
        if kind in ("couple", "family", "elderly"):
            spouse_birth = head_birth + timedelta(days=rng.randrange(-1200, 1200))
            if kind == "elderly":
                spouse_birth = self.birth(66, 74)
            member(
                self.addressee(), "spouse", "female" if head_sex == "male" else "male", spouse_birth
            )
        if kind == "family":
            for _ in range(rng.randrange(1, 4)):
                member(self.addressee(), "child", rng.choice(["male", "female"]), self.birth(1, 17))
        body = rq.RegisterHouseholdIn(
            householder_addressee_number=head,
            householder_details=householder_details,
            members=members,
            identity_verification=ID,
        )
        return body, born


async def seed(settings: ServiceSettings) -> str:
    assert isinstance(settings, Settings)
    service = EligibilityService(load_rules())
    pool = await asyncpg.create_pool(settings.database_dsn, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            done = await conn.fetchval(
                "SELECT households FROM seed_runs WHERE name = $1", SEED_NAME
            )
        if done is not None:
            return f"demo city already seeded ({done} households)"
        topics = Topics(settings.events_topic, settings.personal_details_topic)
        return await _seed(pool, service, settings.seed_households, topics)
    finally:
        await pool.close()


async def _seed(
    pool: asyncpg.Pool, service: EligibilityService, households: int, topics: Topics
) -> str:
    demo = Demo(service.today())
    rng = demo.rng
    counts: dict[str, int] = {}
    async with pool.acquire() as conn, conn.transaction():
        # One transaction for the whole demo: all or nothing, so a re-run starts clean.
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('eligibility.seed'))")
        if await conn.fetchval("SELECT 1 FROM seed_runs WHERE name = $1", SEED_NAME):
            return "demo city already seeded"
        unit = PostgresUnit(conn, topics)
        for _ in range(households):
            body, _ = demo.household()
            entered = await service.enter(unit, "register_household", body, user_id=ENTERING)
            await service.confirm(unit, entered.change_id, user_id=CONFIRMING)
            number = entered.nhi_household_number
            counts["households"] = counts.get("households", 0) + 1
            roll = rng.random()
            insured = [m.addressee_number for m in body.members]
            if roll < 0.08 and len(insured) > 1:
                kind = rng.choice(["moved_out", "joined_employee_insurance", "death",
                                   "public_assistance_started"])  # fmt: skip
                who = insured[-1]
                fact = demo.day_between(service.today() - timedelta(days=25), service.today())
                loss = rq.LossIn(
                    addressee_number=who,
                    reason=kind,  # type: ignore[arg-type]
                    fact_date=fact,
                    notification_date=service.today(),
                    identity_verification=ID,
                )
                change = await service.enter(
                    unit, "lose", loss, user_id=ENTERING, household_number=number
                )
                await service.confirm(unit, change.change_id, user_id=CONFIRMING)
                counts[f"loss:{kind}"] = counts.get(f"loss:{kind}", 0) + 1
            elif roll < 0.14:
                birth = demo.day_between(service.today() - timedelta(days=20), service.today())
                baby = rq.MemberIn(
                    addressee_number=demo.addressee(),
                    reason="birth",
                    fact_date=birth,
                    notification_date=service.today(),
                    relationship="child",
                    details=demo.details(FAMILY[0], "female", birth, "広島市中区本町1丁目1-1"),
                )
                change = await service.enter(
                    unit,
                    "acquire",
                    rq.AcquisitionIn(member=baby, identity_verification=ID),
                    user_id=ENTERING,
                    household_number=number,
                )
                await service.confirm(unit, change.change_id, user_id=CONFIRMING)
                counts["acquire:birth"] = counts.get("acquire:birth", 0) + 1
            if rng.random() < 0.3:
                first = body.members[0]
                await service.issue_certificate(
                    unit,
                    number,
                    rq.CertificateIn(
                        kind="eligibility_confirmation_document",
                        addressee_number=first.addressee_number,
                        issue_date=service.today(),
                    ),
                    user_id=ENTERING,
                )
                counts["certificates"] = counts.get("certificates", 0) + 1
        await conn.execute(
            "INSERT INTO seed_runs (name, households) VALUES ($1, $2)", SEED_NAME, households
        )
    summary = ", ".join(f"{k}={v}" for k, v in sorted(counts.items()))
    return f"demo city seeded: {summary}"
