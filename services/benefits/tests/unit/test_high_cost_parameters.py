"""The parameter files: every figure cites a source and a mark, unconfirmed ones are
configuration, and a broken file refuses the whole schedule by name."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import pytest

from kokuho.benefits.domain.errors import LimitParametersIncomplete
from kokuho.benefits.parameters import load_schedule

FILES = sorted(
    e.name
    for e in resources.files("kokuho.benefits.parameters").iterdir()
    # retention.toml has the platform's shape, checked by kokuho.platform.retention
    if e.name.endswith(".toml") and e.name != "retention.toml"
)


def leaves(node: object) -> list[dict[str, object]]:
    if isinstance(node, dict):
        if "value" in node:
            return [node]
        return [leaf for child in node.values() for leaf in leaves(child)]
    return []


@pytest.mark.parametrize("name", FILES)
def test_every_figure_has_a_source_and_a_mark(name: str) -> None:
    text = resources.files("kokuho.benefits.parameters").joinpath(name).read_text("utf-8")
    figures = leaves(tomllib.loads(text)["figures"])
    assert figures
    for figure in figures:
        assert figure["mark"] in {"confirmed", "secondary", "unconfirmed"}
        assert str(figure["source"]).strip()
        if figure["mark"] == "unconfirmed":
            assert figure["configuration"] is True


def test_the_three_periods_of_the_issue_are_there() -> None:
    assert [t.effective_from.isoformat() for t in load_schedule().tables] == [
        "2018-08-01",
        "2026-08-01",
        "2027-08-01",
    ]


def _copy(tmp_path: Path, name: str, old: str, new: str) -> None:
    text = resources.files("kokuho.benefits.parameters").joinpath(name).read_text("utf-8")
    assert old in text
    (tmp_path / name).write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_missing_figure_refuses_the_schedule_naming_it(tmp_path: Path) -> None:
    _copy(tmp_path, "high-cost-2018-08.toml", "base = { value = 80100", "basis = { value = 80100")
    with pytest.raises(LimitParametersIncomplete, match=r"under_70\.u\.base: missing"):
        load_schedule(tmp_path)


def test_an_unconfirmed_figure_must_be_configuration(tmp_path: Path) -> None:
    _copy(
        tmp_path,
        "high-cost-2026-08.toml",
        'mark = "unconfirmed", configuration = true',
        'mark = "unconfirmed"',
    )
    with pytest.raises(LimitParametersIncomplete, match="configuration"):
        load_schedule(tmp_path)


def test_a_file_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "high-cost-2018-08.toml").write_text("[meta\n", encoding="utf-8")
    with pytest.raises(LimitParametersIncomplete, match="not valid TOML"):
        load_schedule(tmp_path)
