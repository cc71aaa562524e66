"""The reports' view of process definitions (framework-free): stages, outcome requirements, amount bands."""

from __future__ import annotations

from collections.abc import Iterable

from salesflow.analytics.reports.base import Catalog, StageInfo
from salesflow.engine.texts import Translated
from salesflow.process.model import ProcessDefinition


def catalog_of(definitions: Iterable[ProcessDefinition]) -> Catalog:
    """The `Catalog` of some process versions."""
    stages: list[StageInfo] = []
    requirements: list[tuple[str, int, str, str]] = []
    bands: dict[str, list[float]] = {}
    titles: dict[str, str] = {}
    kinds: dict[str, str] = {}
    activities: list[tuple[str, int, str, str]] = []
    choices: dict[tuple[str, str], dict[str, Translated]] = {}
    for definition in sorted(definitions, key=lambda item: (item.process, item.version)):
        for name, field in definition.fields.items():
            if isinstance(field.choices, dict):
                choices[(definition.process, name)] = {
                    key: Translated(text.get_text("en"), {language: text.get_text(language) for language in ("en", "de")})
                    for key, text in field.choices.items()}
        titles[definition.process] = definition.title_text()
        kinds[definition.process] = definition.record
        open_ids = [stage.id for stage in definition.open_stages]
        for position, stage in enumerate(definition.stages):
            stages.append(StageInfo(
                process=definition.process, version=definition.version, stage=stage.id, title=Translated(stage.display_title(), {language: stage.display_title(language) for language in ("en", "de")}),
                position=position, open_position=open_ids.index(stage.id) if stage.id in open_ids else -1,
                probability=stage.probability, forecast_category=stage.effective_forecast_category().value,
                max_days=stage.max_days, outcome=stage.outcome.value if stage.outcome else None,
                stale_days=stage.stale_days))
            activities.extend((definition.process, definition.version, stage.id, activity.id)
                              for activity in stage.activities)
            if stage.outcome and stage.requires:
                requirements.extend((definition.process, definition.version, stage.id, activity)
                                    for activity in stage.requires.activities)
        for approval in definition.approvals.values():
            limits = [float(band.up_to) for band in approval.by_amount if band.up_to is not None]
            if limits:
                bands[definition.process] = limits
                break
    return Catalog(stages=stages, requirements=requirements, amount_bands=bands, titles=titles, kinds=kinds,
                   activities=activities, choices=choices)
