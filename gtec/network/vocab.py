"""The declared lists of the partner network. Each code has an FR/EN label ``network.<list>.<code>`` in
``gtec/core/locales/network.toml``; stored rows hold codes, never labels."""

from __future__ import annotations

ORG_TYPES: tuple[str, ...] = (
    "company",
    "university",
    "training_body",
    "development_agency",
    "joint_body",
    "public_authority",
    "association",
)
COUNTRIES: tuple[str, ...] = ("FR", "UK", "BE", "OTHER")
#: Staff size bands (INSEE-like): micro < 10, small < 50, medium < 250, large 250+.
SIZES: tuple[str, ...] = ("micro", "small", "medium", "large")
COLLAB_TYPES: tuple[str, ...] = (
    "internship",
    "apprenticeship",
    "ktp",
    "cifre",
    "career_talk",
    "tutored_project",
    "job_dating",
    "tailored_training",
    "continuing_module",
    "advisory_board",
    "research_contract",
)
INTERACTION_TYPES: tuple[str, ...] = ("meeting", "visit", "event", "workshop", "call", "email")
#: Interaction types that count as a meeting for the reciprocity principle (people met, on site or online).
MEETING_TYPES: frozenset[str] = frozenset({"meeting", "visit", "event", "workshop"})
LEGAL_BASES: tuple[str, ...] = ("consent", "legitimate_interest", "contract", "public_task")
