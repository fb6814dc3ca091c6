"""Worked examples published by the ministry and municipalities, reproduced to the yen.

Each test names its source. Pages were read as published (dates in the docstrings); where a
page's own totals were not captured, the test says so and follows the page's stated method.
"""

from __future__ import annotations

from kokuho.benefits.domain.high_cost.limits import ElderlyCategory as E
from kokuho.benefits.domain.high_cost.limits import Under70Category as U

from .high_cost_kit import benefit_of, bill, elder, inpatient, run, under


def test_mhlw_ku_u_one_million_yen_limit_87430() -> None:
    """厚生労働省保険局「高額療養費制度を利用される皆さまへ」(平成30年8月診療分から), the
    worked example for 年収約370万〜約770万円 (国保 区分ウ): medical cost 1,000,000 yen,
    window self-pay 300,000 yen, limit 80,100 + (1,000,000 − 267,000) × 1% = 87,430 yen,
    高額療養費 212,570 yen (the example the issue cites)."""
    result = run([under("P1")], [inpatient("P1", "H1", 1_000_000, 300_000)], u70=U.U)
    assert [limit.amount for limit in result.limits] == [87_430]
    assert result.benefit == 212_570
    assert result.household_borne == 87_430


def test_yamato_city_under_70_household() -> None:
    """大和市「高額療養費の計算例(70歳未満の世帯)」(更新 2024-12-02,
    city.yamato.lg.jp/gyosei/soshik/2020/kokuminkenkohoken/kokuho_kyufu/kogakuryoyohi/6995.html):
    区分ウ; husband A 60,000 (200,000) outpatient and B 120,000 (400,000) inpatient, wife C
    30,000 (100,000) and D 3,000 (10,000) outpatient. D is under 21,000 and excluded; counted
    210,000; medical cost 700,000; limit 84,430; benefit 125,570."""
    d = bill("wife", "D", 10_000, 3_000)
    result = run(
        [under("husband"), under("wife")],
        [
            bill("husband", "A", 200_000, 60_000),
            inpatient("husband", "B", 400_000, 120_000),
            bill("wife", "C", 100_000, 30_000),
            d,
        ],
        u70=U.U,
    )
    assert result.excluded_bill_ids == (d.bill_id,)
    assert result.counted_self_pay == 210_000
    assert [limit.amount for limit in result.limits] == [84_430]
    assert result.benefit == 125_570


def test_shitara_town_under_70_household_with_a_child_under_the_floor() -> None:
    """設楽町「医療費が高額になったとき」(town.shitara.aichi.jp, a page of the pre-2015 table
    whose 一般 formula 80,100 + (医療費 − 267,000) × 1% is today's 区分ウ): husband 60,000,
    wife 30,000, daughter 15,000 (under 21,000: excluded); medical cost 300,000; limit 80,430;
    benefit 9,570."""
    result = run(
        [under("husband"), under("wife"), under("daughter")],
        [
            bill("husband", "A", 200_000, 60_000),
            bill("wife", "B", 100_000, 30_000),
            bill("daughter", "C", 50_000, 15_000),
        ],
        u70=U.U,
    )
    assert [limit.amount for limit in result.limits] == [80_430]
    assert result.benefit == 9_570
    assert benefit_of(result, "daughter") == 0


def test_yamato_city_70_74_general_couple() -> None:
    """大和市「高額療養費の計算例(70歳以上の人のみの世帯)」(更新 2024-12-02, .../6997.html):
    一般; husband outpatient A 10,000 and B 10,000 (50,000 each, 2割), wife inpatient C 57,600
    (800,000). Outpatient: 20,000 − 18,000 = 2,000; household 18,000 + 57,600 = 75,600 −
    57,600 = 18,000; benefit 20,000."""
    result = run(
        [elder("husband"), elder("wife")],
        [
            bill("husband", "A", 50_000, 10_000),
            bill("husband", "B", 50_000, 10_000),
            inpatient("wife", "C", 800_000, 57_600),
        ],
        elderly=E.GENERAL,
    )
    assert [s.benefit for s in result.steps if s.rule != "month"] == [2_000, 18_000]
    assert result.benefit == 20_000
    assert result.household_borne == 57_600
    assert benefit_of(result, "husband") + benefit_of(result, "wife") == 20_000


def test_diamond_online_70_74_outpatient_then_household() -> None:
    """ダイヤモンド・オンライン 2019 (diamond.jp/articles/-/211268?page=4, secondary): 一般;
    花子 outpatient 16,000 + 10,000 = 26,000 → 8,000 back; 太郎 inpatient 57,600 + 18,000 =
    75,600 → 18,000 back; 26,000 in all."""
    result = run(
        [elder("taro"), elder("hanako")],
        [
            inpatient("taro", "H", 300_000, 57_600),
            bill("hanako", "naika", 80_000, 16_000),
            bill("hanako", "seikei", 50_000, 10_000),
        ],
        elderly=E.GENERAL,
    )
    assert benefit_of(result, "hanako") >= 8_000
    assert result.benefit == 26_000


def test_yamato_city_mixed_household() -> None:
    """大和市「高額療養費の計算例(70歳以上の方と70歳未満の方との世帯)」(更新 2024-02-20,
    .../6996.html): under-70 区分ウ, 70–74 一般. Head 50 inpatient A 600,000 (2,000,000); child
    25 inpatient B 300,000 (1,000,000) and outpatient C 18,000 (60,000, excluded); father 73
    inpatient D 50,000 (250,000); mother 71 outpatient E 30,000 (150,000). The page counts
    980,000 (C excluded) as here. Its final totals were not captured: the figures below follow
    the page's stated method: mother 30,000 − 18,000 = 12,000; 70–74 50,000 + 18,000 = 68,000 −
    57,600 = 10,400; household 600,000 + 300,000 + 57,600 = 957,600 against 80,100 +
    (3,400,000 − 267,000) × 1% = 111,430: 846,170; in all 868,570."""
    c = bill("child", "C", 60_000, 18_000)
    result = run(
        [under("head"), under("child"), elder("father"), elder("mother")],
        [
            inpatient("head", "A", 2_000_000, 600_000),
            inpatient("child", "B", 1_000_000, 300_000),
            c,
            inpatient("father", "D", 250_000, 50_000),
            bill("mother", "E", 150_000, 30_000),
        ],
        u70=U.U,
        elderly=E.GENERAL,
    )
    assert result.excluded_bill_ids == (c.bill_id,)
    assert result.counted_self_pay == 980_000
    assert [limit.amount for limit in result.limits] == [18_000, 57_600, 111_430]
    assert [s.benefit for s in result.steps if s.benefit] == [12_000, 10_400, 846_170]
    assert result.benefit == 868_570
    assert result.household_borne == 111_430
