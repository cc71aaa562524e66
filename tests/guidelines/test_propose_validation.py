"""A proposal is validated with the messages of `process validate`; nothing is stored when it is invalid."""

from __future__ import annotations

import pytest

from salesflow.guidelines import services
from salesflow.process.validate import ProcessInvalid, validate_texts
from salesflow.records.library import default_library_keys
from salesflow.records.models import ChainHead, Event, ProcessVersion
from tests.guidelines.conftest import CURRENT, NEXT, version_text

pytestmark = pytest.mark.django_db


def test_invalid_proposal_stores_nothing_and_names_file_and_line(cast) -> None:
    text = version_text(NEXT).replace("responsible: bid_manager", "responsible: bid_wizard", 1)
    versions, events = ProcessVersion.objects.count(), Event.objects.count()
    head = ChainHead.objects.get(pk=1).hash
    with pytest.raises(ProcessInvalid) as raised:
        services.do_propose_version(text, cast.author, file="change.yaml")
    messages = [str(problem) for problem in raised.value.problems]
    _valid, expected = validate_texts([("change.yaml", text)], default_library_keys())
    assert messages == sorted(str(problem) for problem in expected)
    assert any(message.startswith("change.yaml:") and "bid_wizard" in message for message in messages)
    assert ProcessVersion.objects.count() == versions
    assert Event.objects.count() == events and ChainHead.objects.get(pk=1).hash == head


def test_broken_yaml_is_refused_too(cast) -> None:
    with pytest.raises(ProcessInvalid):
        services.do_propose_version("process: [unclosed\n", cast.author, file="broken.yaml")
    assert not ProcessVersion.objects.filter(version=NEXT).exists()


def test_a_proposal_ignores_the_status_written_in_the_file(cast) -> None:
    version = services.do_propose_version(version_text(NEXT), cast.author)  # the file says status: approved
    assert version.status == "draft"
    assert version.process.current_version().version == CURRENT
