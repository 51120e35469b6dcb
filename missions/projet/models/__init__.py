from missions.projet.models.fiches import FicheAction, FicheStatus, Mission
from missions.projet.models.health_project import SECTIONS, Acknowledgement, HealthProject, ProjectVersion
from missions.projet.models.register import (
    DEFAULT_CATEGORIES,
    OPEN_STATUSES,
    ExclusionDecision,
    MemberCategory,
    MemberStatus,
    RegisterEvent,
    RegisterMember,
)

__all__ = [
    "DEFAULT_CATEGORIES",
    "OPEN_STATUSES",
    "SECTIONS",
    "Acknowledgement",
    "ExclusionDecision",
    "FicheAction",
    "FicheStatus",
    "HealthProject",
    "MemberCategory",
    "MemberStatus",
    "Mission",
    "ProjectVersion",
    "RegisterEvent",
    "RegisterMember",
]
