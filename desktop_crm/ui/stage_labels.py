"""The pipeline's stage names in the user's language, without building the pipeline tab."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def stage_label(key: str, name: str) -> str:
    """The default stages in the user's language; configured ones as configured."""
    known = {
        "lead": (QCoreApplication.translate("PipelineView", "Lead"), "Lead"),
        "qualified": (QCoreApplication.translate("PipelineView", "Qualified"), "Qualified"),
        "proposal": (QCoreApplication.translate("PipelineView", "Proposal"), "Proposal"),
        "negotiation": (QCoreApplication.translate("PipelineView", "Negotiation"), "Negotiation"),
        "won": (QCoreApplication.translate("PipelineView", "Won"), "Won"),
        "lost": (QCoreApplication.translate("PipelineView", "Lost"), "Lost"),
    }
    label, default = known.get(key, (name, name))
    return label if name == default else name
