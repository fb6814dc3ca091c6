"""Reminders on PostgreSQL and Kafka: the call list, the centre's results taken all or none,
stop/restart, and a 催告書 PDF read back (text layer, embedded fonts)."""

from __future__ import annotations

from kokuho.platform.documents import checks

from .conftest import OFFICER, Running
from .test_journey import HOUSEHOLD, opened, post


async def test_calls_results_and_a_reminder_letter(running: Running) -> None:
    await opened(running)
    listed = await running.client.get(
        "/api/v1/call-list", headers=running.headers("U-OFF", OFFICER)
    )
    assert listed.status_code == 200, listed.text
    assert [(i["household"], i["outstanding"]) for i in listed.json()] == [(HOUSEHOLD, 30_000)]

    result = {
        "household": HOUSEHOLD,
        "called_on": "2026-08-02",
        "outcome": "wrong_number",
        "summary": "番号違い",
    }
    unknown = {**result, "household": "9940000099"}
    batch = {"centre_group": "お知らせセンター", "centre_division": "収納対策課"}
    refused = await post(running, "call-results", {**batch, "results": [result, unknown]})
    assert (refused.status_code, refused.json()["type"]) == (
        404,
        "urn:kokuho:problem:case-not-found",
    )
    bad = await post(running, "call-results", {**batch, "results": [{**result, "outcome": "busy"}]})
    assert bad.status_code == 422
    assert any(e["pointer"] == "/body/results/0/outcome" for e in bad.json()["errors"]), bad.json()
    case = await running.client.get(
        f"/api/v1/cases/{HOUSEHOLD}", headers=running.headers("U-OFF", OFFICER)
    )
    assert case.json()["negotiations"] == 0  # nothing half-applied
    taken = await post(running, "call-results", {**batch, "results": [result]})
    assert (taken.status_code, taken.json()) == (200, {"recorded": 1})

    stopped = await post(running, "/reminders/stop", {"reason": "入院中", "on": "2026-08-03"})
    assert stopped.json()["reminders_stopped_on"] == "2026-08-03"
    refused_letter = await post(running, "/reminder-letters", {})
    assert refused_letter.json()["type"] == "urn:kokuho:problem:reminders-stopped"
    await post(running, "/reminders/restart", {"reason": "退院", "on": "2026-08-03"})
    issued = await post(running, "/reminder-letters", {"pay_by": "2026-08-13"})
    assert issued.status_code == 201, issued.text
    pdf = await running.client.get(
        f"/api/v1/cases/{HOUSEHOLD}/reminder-letters/{issued.json()['id']}",
        headers=running.headers("U-AUD", "auditor"),
    )
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
    text = checks.text_of(pdf.content)
    for expected in ("国民健康保険料 催告書", HOUSEHOLD, "30,000円", "令和8年8月13日", "納付書"):
        assert expected in text
    assert all(row.embedded for row in checks.fonts_of(pdf.content))
