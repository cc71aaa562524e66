"""Reports count only the records the reader may see; oversight roles see all but strictly confidential ones."""

from __future__ import annotations

from tests.analytics.build import Opportunity, report


def test_reports_respect_record_visibility(people):
    Opportunity(people, "kam")                                                  # internal
    Opportunity(people, "kam2", classification="confidential")                  # team South
    Opportunity(people, "kam2", classification="strictly_confidential")         # kam2 and members only
    counts = {name: report("funnel", user=people[name] if name else None).summary["records"]
              for name in ("kam", "head", "kam2", "auditor", None)}
    assert counts == {"kam": 1, "head": 2, "kam2": 3, "auditor": 2, None: 3}
