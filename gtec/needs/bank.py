"""The project's question bank for stakeholder-needs surveys (not an official questionnaire).

Each question is bilingual, belongs to one need *theme* and is asked to some *stakeholder groups*; answers are on
a priority scale ``1..SCALE_MAX`` ("how high a priority is ..."): 1 not a priority, 2 low, 3 high, 4 very high.
"High priority" means 3 or 4. The themes follow issue 16: the needs of each group after successive crises.

The company skills-needs survey uses generated questions instead: for each occupation family ``Fnn`` of the
reference store, ``now_Fnn`` (hires needed in the next 12 months) and ``in3y_Fnn`` (hires needed in 3 years),
headcounts from 0 to :data:`MAX_HEADCOUNT`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gtec.core.i18n import t

#: Stakeholder groups, in display order.
GROUPS: tuple[str, ...] = (
    "students",
    "companies",
    "universities",
    "development_agencies",
    "joint_bodies_opcos",
    "public_authorities",
)
#: Need themes, in display order.
THEMES: tuple[str, ...] = (
    "recruitment",
    "training_offer",
    "work_based_learning",
    "green_transition",
    "digital_transition",
    "attractiveness",
    "crisis_resilience",
    "cooperation",
)
SCALE_MIN = 1
SCALE_MAX = 4
HIGH_FROM = 3  # 3 = high, 4 = very high
MAX_HEADCOUNT = 10_000
HORIZONS: tuple[str, ...] = ("now", "in3y")
_COMPANY_ID = re.compile(r"^(now|in3y)_(F\d{2})$")


@dataclass(frozen=True)
class Question:
    id: str  # stable id (import templates and answers refer to it)
    theme: str
    groups: tuple[str, ...]
    text_fr: str
    text_en: str
    kind: str = "priority"  # or "headcount" (company survey)

    @property
    def low(self) -> int:
        return SCALE_MIN if self.kind == "priority" else 0

    @property
    def high(self) -> int:
        return SCALE_MAX if self.kind == "priority" else MAX_HEADCOUNT


_ALL = GROUPS
_STUDENTS = ("students",)
_EMPLOYERS = ("companies", "joint_bodies_opcos", "development_agencies")
_INSTITUTIONS = ("universities", "development_agencies", "joint_bodies_opcos", "public_authorities")


def _q(qid: str, theme: str, groups: tuple[str, ...], fr: str, en: str) -> Question:
    return Question(qid, theme, groups, fr, en)


BANK: tuple[Question, ...] = (
    _q("REC1", "recruitment", _ALL,
       "Quelle priorité donnez-vous à trouver des candidats pour les métiers en tension ?",
       "How high a priority is finding candidates for hard-to-fill occupations?"),
    _q("REC2", "recruitment", ("companies", "joint_bodies_opcos", "public_authorities", "development_agencies"),
       "Quelle priorité donnez-vous à fidéliser les salariés déjà recrutés ?",
       "How high a priority is keeping the staff already hired?"),
    _q("REC3", "recruitment", (*_STUDENTS, "universities"),
       "Quelle priorité donnez-vous à l'accès à un premier emploi dans le territoire ?",
       "How high a priority is access to a first job in the area?"),
    _q("TRA1", "training_offer", _ALL,
       "Quelle priorité donnez-vous à une offre de formation adaptée aux besoins des employeurs locaux ?",
       "How high a priority is a training offer matched to local employers' needs?"),
    _q("TRA2", "training_offer", _ALL,
       "Quelle priorité donnez-vous aux formations courtes et modulaires (reconversion, montée en compétences) ?",
       "How high a priority are short, modular courses (retraining, upskilling)?"),
    _q("TRA3", "training_offer", _INSTITUTIONS + _STUDENTS,
       "Quelle priorité donnez-vous à l'information sur les formations et les débouchés ?",
       "How high a priority is information on courses and where they lead?"),
    _q("WBL1", "work_based_learning", _ALL,
       "Quelle priorité donnez-vous au développement de l'alternance (apprentissage, contrats pro) ?",
       "How high a priority is developing work-based learning (apprenticeships)?"),
    _q("WBL2", "work_based_learning", _ALL,
       "Quelle priorité donnez-vous à trouver des stages et des tuteurs en entreprise ?",
       "How high a priority is finding internships and company tutors?"),
    _q("WBL3", "work_based_learning", ("companies", "universities", "joint_bodies_opcos"),
       "Quelle priorité donnez-vous aux projets de transfert de connaissances entreprise-université (KTP, CIFRE) ?",
       "How high a priority are company-university knowledge-transfer projects (KTP, CIFRE type)?"),
    _q("GRN1", "green_transition", _ALL,
       "Quelle priorité donnez-vous aux compétences de la transition écologique ?",
       "How high a priority are the skills of the green transition?"),
    _q("GRN2", "green_transition", (*_EMPLOYERS, "public_authorities"),
       "Quelle priorité donnez-vous à l'accompagnement des entreprises dans leur transition écologique ?",
       "How high a priority is supporting companies through their green transition?"),
    _q("DIG1", "digital_transition", _ALL,
       "Quelle priorité donnez-vous aux compétences numériques (outils, données, IA) ?",
       "How high a priority are digital skills (tools, data, AI)?"),
    _q("DIG2", "digital_transition", (*_EMPLOYERS, "universities"),
       "Quelle priorité donnez-vous à la formation des salariés aux nouveaux outils numériques ?",
       "How high a priority is training staff in new digital tools?"),
    _q("ATT1", "attractiveness", _ALL,
       "Quelle priorité donnez-vous au logement des jeunes, des alternants et des nouveaux salariés ?",
       "How high a priority is housing for young people, apprentices and new staff?"),
    _q("ATT2", "attractiveness", _ALL,
       "Quelle priorité donnez-vous aux mobilités (transports vers les lieux de travail et de formation) ?",
       "How high a priority is transport to places of work and training?"),
    _q("ATT3", "attractiveness", (*_EMPLOYERS, "public_authorities"),
       "Quelle priorité donnez-vous à l'image du territoire pour attirer des talents ?",
       "How high a priority is the area's image for attracting talent?"),
    _q("CRI1", "crisis_resilience", _ALL,
       "Quelle priorité donnez-vous à l'anticipation des crises (sanitaire, énergétique, économique) ?",
       "How high a priority is anticipating crises (health, energy, economic)?"),
    _q("CRI2", "crisis_resilience", (*_EMPLOYERS, "public_authorities"),
       "Quelle priorité donnez-vous au maintien des compétences pendant une baisse d'activité ?",
       "How high a priority is keeping skills during a downturn?"),
    _q("CRI3", "crisis_resilience", (*_STUDENTS, "universities"),
       "Quelle priorité donnez-vous au soutien des étudiants en difficulté après les crises ?",
       "How high a priority is supporting students in difficulty after the crises?"),
    _q("COO1", "cooperation", _ALL,
       "Quelle priorité donnez-vous à un lieu d'échange régulier entre acteurs de l'emploi et de la formation ?",
       "How high a priority is a regular meeting place for employment and training stakeholders?"),
    _q("COO2", "cooperation", (*_INSTITUTIONS, "companies"),
       "Quelle priorité donnez-vous au partage de données sur l'emploi et les compétences du territoire ?",
       "How high a priority is sharing data on the area's jobs and skills?"),
    _q("COO3", "cooperation", _ALL,
       "Quelle priorité donnez-vous à un interlocuteur unique pour les relations entreprises-formation ?",
       "How high a priority is a single contact point for business-training relations?"),
)  # fmt: skip
BY_ID: dict[str, Question] = {q.id: q for q in BANK}


def questions_for(groups: tuple[str, ...] | list[str]) -> list[Question]:
    """Bank questions asked to at least one of ``groups``, in bank order."""
    wanted = set(groups)
    return [q for q in BANK if wanted & set(q.groups)]


def company_question(qid: str, families: dict[str, tuple[str, str]]) -> Question | None:
    """The company-survey question ``now_Fnn`` / ``in3y_Fnn`` (``families``: id -> (label_fr, label_en))."""
    match = _COMPANY_ID.match(qid)
    if not match or match.group(2) not in families:
        return None
    horizon, fam = match.groups()
    fr, en = families[fam]
    key = f"needs.company.q_{horizon}"
    return Question(qid, fam, ("companies",), t(key, "fr", family=fr), t(key, "en", family=en), kind="headcount")


def company_questions(families: dict[str, tuple[str, str]]) -> list[Question]:
    """Every company-survey question: for each family, now then in 3 years."""
    out = []
    for fam in families:
        for horizon in HORIZONS:
            q = company_question(f"{horizon}_{fam}", families)
            if q is not None:
                out.append(q)
    return out
