"""The ``quotes:`` declaration and the competence catalog's discount bands are checked like every reference."""

from __future__ import annotations

from tests.process.test_validate import BASE, changed, line_of, problems

BANDS = """      - role: boss
"""


def test_discount_bands_and_quotes_are_valid() -> None:
    text = changed(BANDS, BANDS + "    by_discount:\n      - up_to: 10\n        role: rep\n      - role: boss\n") + \
        "quotes:\n  stages: [offer]\n  approval: price\n  send_activity: call\n"
    assert problems(text) == []


def test_bad_discount_bands_are_named() -> None:
    text = changed(BANDS, BANDS + "    by_discount:\n      - up_to: 20\n        role: rep\n      - up_to: 10\n"
                          "        role: ghost\n")
    found = problems(text)
    assert f"tiny.yaml:{line_of(text, 'role: ghost')}: unknown role 'ghost'" in found[0] or \
        any("unknown role 'ghost'" in item for item in found)
    assert any("bands must rise" in item for item in found)
    assert any("the last discount band needs no up_to" in item for item in found)


def test_quotes_name_known_stages_approvals_activities_and_handoffs() -> None:
    text = BASE + "quotes:\n  stages: [nowhere]\n  approval: nothing\n  send_activity: mail\n  order_handoff: erp\n"
    found = " | ".join(problems(text))
    for needle in ("unknown stage 'nowhere'", "unknown approval 'nothing'", "unknown activity 'mail'",
                   "unknown hand-off 'erp'"):
        assert needle in found, (needle, found)



def test_order_lines_write_to_a_money_field() -> None:
    text = BASE + "order_lines:\n  amount_field: size\n"
    assert problems(text) == [f"tiny.yaml:{line_of(text, 'amount_field')}: field 'size' is a choice field; "
                              "expected money"]
    assert problems(BASE + "order_lines:\n  amount_field: amount\n") == []
