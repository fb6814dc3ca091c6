"""A small synthetic demo city (deterministic and idempotent): a few hundred households across
the acquisition and loss reasons, entered and confirmed by two synthetic clerks through the same
use cases as the API, so the events reach Kafka through the outbox once ``serve`` runs.

Every name, address and number here is made up."""

from __future__ import annotations

import random
from datetime import date, timedelta

from kokuho.eligibility.app import requests as rq
from kokuho.eligibility.app.certificates import IssueCertificate, issue_certificate
from kokuho.eligibility.app.changes import (
    ConfirmChange,
    EnterChange,
    confirm_change,
    enter_change,
)
from kokuho.eligibility.app.ports import Eligibility, EligibilityUnitPort

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

    def _intake(self) -> tuple[tuple[str, str], str, date, date, str]:
        """Family name, address, fact and notification dates and the acquisition reason."""
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
        return family, address, fact, notified, reason

    def household(self) -> tuple[rq.RegisterHouseholdIn, list[tuple[str, date]]]:
        """A household registration and its members' (addressee, birth date)."""
        rng = self.rng
        family, address, fact, notified, reason = self._intake()
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


async def _entered_and_confirmed(
    uow: EligibilityUnitPort, ports: Eligibility, cmd: EnterChange
) -> str:
    entered = await enter_change(uow, ports, cmd)
    await confirm_change(uow, ports, ConfirmChange(entered.change_id, CONFIRMING))
    return entered.nhi_household_number


async def _later_change(
    uow: EligibilityUnitPort,
    ports: Eligibility,
    demo: Demo,
    number: str,
    body: rq.RegisterHouseholdIn,
) -> str | None:
    """Some households lose a member or gain a baby after registering (the counts' key)."""
    rng, today = demo.rng, ports.today()
    roll = rng.random()
    insured = [m.addressee_number for m in body.members]
    if roll < 0.08 and len(insured) > 1:
        kind = rng.choice(["moved_out", "joined_employee_insurance", "death",
                           "public_assistance_started"])  # fmt: skip
        loss = rq.LossIn(
            addressee_number=insured[-1],
            reason=kind,  # type: ignore[arg-type]
            fact_date=demo.day_between(today - timedelta(days=25), today),
            notification_date=today,
            identity_verification=ID,
        )
        await _entered_and_confirmed(uow, ports, EnterChange("lose", loss, ENTERING, number))
        return f"loss:{kind}"
    if roll < 0.14:
        birth = demo.day_between(today - timedelta(days=20), today)
        baby = rq.MemberIn(
            addressee_number=demo.addressee(),
            reason="birth",
            fact_date=birth,
            notification_date=today,
            relationship="child",
            details=demo.details(FAMILY[0], "female", birth, "広島市中区本町1丁目1-1"),
        )
        acquisition = rq.AcquisitionIn(member=baby, identity_verification=ID)
        await _entered_and_confirmed(
            uow, ports, EnterChange("acquire", acquisition, ENTERING, number)
        )
        return "acquire:birth"
    return None


async def seed_city(uow: EligibilityUnitPort, ports: Eligibility, households: int) -> str:
    """The demo city in one transaction: all or nothing, so a re-run starts clean; a second
    run finds it seeded and does nothing."""
    demo = Demo(ports.today())
    rng = demo.rng
    counts: dict[str, int] = {}
    async with uow:
        done = await uow.records.seeded(SEED_NAME, lock=True)
        if done is not None:
            return f"demo city already seeded ({done} households)"
        for _ in range(households):
            body, _ = demo.household()
            register = EnterChange("register_household", body, ENTERING)
            number = await _entered_and_confirmed(uow, ports, register)
            counts["households"] = counts.get("households", 0) + 1
            later = await _later_change(uow, ports, demo, number, body)
            if later is not None:
                counts[later] = counts.get(later, 0) + 1
            if rng.random() < 0.3:
                document = rq.CertificateIn(
                    kind="eligibility_confirmation_document",
                    addressee_number=body.members[0].addressee_number,
                    issue_date=ports.today(),
                )
                await issue_certificate(uow, ports, IssueCertificate(number, document, ENTERING))
                counts["certificates"] = counts.get("certificates", 0) + 1
        await uow.records.record_seed(SEED_NAME, households)
    summary = ", ".join(f"{k}={v}" for k, v in sorted(counts.items()))
    return f"demo city seeded: {summary}"
