"""The legal figures the rules take, as data (loaded from ``parameters/*.toml`` by the
adapters; tests build their own). Each file entry cites its source and confidence mark."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WageExemption:
    """差押禁止額 of a monthly wage (国税徴収法76条1項, 施行令34条, applied by 地方税法の例)."""

    base: int  # 本人 a month
    per_dependant: int  # 生計を一にする親族 each, a month
    rate_percent: int  # of what is left after taxes, insurance and the living amount
    rate_cap_multiple: int  # that share is at most this multiple of the living amount


@dataclass(frozen=True)
class Rules:
    prescription_years: int  # 国保法110条: 2 years
    suspension_extinction_years: int  # 執行停止 3 years: 地方税法15条の7第4項の例
    deferral_max_months: int  # 徴収猶予/換価猶予 1 year at a time: 地方税法15条, 15条の5の例
    special_care_after_months: int  # 特別療養費: 1 year of arrears (rules.md §4.6)
    withhold_after_months: int  # 給付の一時差止: 1 year 6 months (rules.md §4.6)
    advance_notice_days: int  # days from the advance notice to the flag (configuration)
    wage_exemption: WageExemption
