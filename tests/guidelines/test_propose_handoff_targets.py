"""A proposed version whose hand-off sets a field the target process (as stored) does not have is refused."""

from __future__ import annotations

import pytest

from salesflow.guidelines import services
from salesflow.process.validate import ProcessInvalid
from salesflow.records.models import ProcessVersion
from tests.guidelines.conftest import NEXT, PROCESS, Cast, version_text


def test_a_hand_off_into_an_unknown_target_field_is_refused(cast: Cast) -> None:
    text = version_text(NEXT).replace("          amount: amount\n", "          no_such_field: amount\n", 1)
    with pytest.raises(ProcessInvalid) as refused:
        services.do_propose_version(text, cast.author)
    assert any("order-management has no field 'no_such_field'" in str(problem) for problem in refused.value.problems)
    assert not ProcessVersion.objects.filter(process__key=PROCESS, version=NEXT).exists()


def test_the_unchanged_library_text_is_accepted(cast: Cast) -> None:
    assert services.do_propose_version(version_text(NEXT), cast.author).status == "draft"
