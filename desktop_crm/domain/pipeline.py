"""Pipeline stage entry rules: what an opportunity needs before it may enter a stage."""

from __future__ import annotations

from collections.abc import Sequence

from desktop_crm.domain.records import Opportunity, PipelineStage

#: What a stage's entry rules may find missing (the words the UI translates and offers a
#: button for: log a call for the deal, set the close date).
MISSING_ACTIVITY = "log a call or meeting since the last stage change"
MISSING_CLOSE_DATE = "set an expected close date"


class StageRuleViolation(ValueError):
    def __init__(self, stage: PipelineStage, missing: list[str]) -> None:
        self.stage = stage
        self.missing = missing
        super().__init__(f"Cannot move to “{stage.name}”: " + "; ".join(missing) + ".")


def find_stage(stages: Sequence[PipelineStage], key: str) -> PipelineStage:
    for stage in stages:
        if stage.key == key:
            return stage
    raise ValueError(f"“{key}” is not a pipeline stage")


def missing_for_stage(
    opportunity: Opportunity,
    target: PipelineStage,
    activities_since_stage_change: int,
) -> list[str]:
    """What the opportunity lacks to enter ``target``, in words; empty when it may."""
    missing: list[str] = []
    if target.requires_activity_since_stage_change and activities_since_stage_change == 0:
        missing.append(MISSING_ACTIVITY)
    if target.requires_expected_close and opportunity.expected_close is None:
        missing.append(MISSING_CLOSE_DATE)
    return missing


def check_stage_entry(
    opportunity: Opportunity,
    target: PipelineStage,
    activities_since_stage_change: int,
) -> None:
    missing = missing_for_stage(opportunity, target, activities_since_stage_change)
    if missing:
        raise StageRuleViolation(target, missing)
