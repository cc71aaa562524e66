"""`salesflow report satisfaction`: end customer and channel apart, scores computed by hand."""

from __future__ import annotations

#: Customer satisfaction 88.5: weights 3+2+2+3+3 = 13 (delivery na); 3 + 2·0.75 + 2·0.5 + 3 + 3 = 11.5 → 88.46…
CUSTOMER_88_5 = {"overall": 5, "advice": 4, "responsiveness": 3, "promises_kept": "yes", "delivery": "na",
                 "recommend": 11}
#: Channel satisfaction 50.0: weights 3+2+2+1 = 8 (presales, leads na); 3·0.5 + 2·0.75 + 1 + 0 = 4.
CHANNEL_50 = {"overall": 3, "training": 4, "material": "partial", "presales": "na", "leads": "na",
              "manager_contact": "no"}


def test_end_customer_and_channel(cli, people, partners, assess) -> None:
    customer, nord = partners["customer"], partners["nord"]
    assess("customer-satisfaction", f"account:{customer.pk}", CUSTOMER_88_5, "2026-03-01")
    assess("channel-satisfaction", f"partner:{nord.pk}", CHANNEL_50, "2026-05-01")

    result = cli("report", "satisfaction", "--format", "json")
    assert result.code == 0, result
    summary = result.json()["summary"]
    assert (summary["end_customer_assessments"], summary["end_customer_score"], summary["end_customer_pass_rate"]) \
        == (1, 88.5, 1.0)
    assert (summary["channel_assessments"], summary["channel_score"], summary["channel_pass_rate"]) == (1, 50.0, 0.0)
    periods = {(row["period"], row["group"]) for row in result.json()["tables"]["periods"]["rows"]}
    assert periods == {("2026-Q1", "end customer"), ("2026-Q2", "channel")}
