"""``/api/material``: the same services as the CLI — stock never negative (409), managers only (403), named 400s."""

from __future__ import annotations

from salesflow.people.tokens import create_token
from tests.api.conftest import PROBLEM_JSON, Api


def test_receive_adjust_and_refusals(stocked) -> None:
    olga = Api(create_token(stocked["olga"], "t")[1])
    kim = Api(create_token(stocked["kim"], "t")[1])
    items = {row["code"]: row for row in kim.get("/api/material/items").json()}
    assert items["BRO-PRODUCT"]["stock"] == {"Hamburg": 80, "Munich": 200}
    received = olga.post("/api/material/receipts", {"item": "CAP-LOGO", "location": "Hamburg", "quantity": 5})
    assert received.status_code == 201 and received.json()["balance"] == 5 and received.json()["low_stock"] is True
    refused = olga.post("/api/material/adjustments", {"item": "CAP-LOGO", "location": "Munich", "by": -31,
                                                      "reason": "lost"})
    assert refused.status_code == 409 and refused["Content-Type"] == PROBLEM_JSON
    assert "stock never goes negative" in refused.json()["detail"]
    blank = olga.post("/api/material/adjustments", {"item": "CAP-LOGO", "location": "Munich", "by": -1,
                                                    "reason": " "})
    assert blank.status_code == 400 and "needs its reason" in blank.json()["detail"]
    assert kim.post("/api/material/receipts", {"item": "CAP-LOGO", "location": "Munich",
                                               "quantity": 1}).status_code == 403
