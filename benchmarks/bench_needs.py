"""Needs matrix: ``needs_matrix_ms``, the median time to build the matrix (groups x themes: n, mean with its t
interval, share of high priority with its Wilson interval, suppression) of a survey with 1,000 responses x 40
questions, as :func:`gtec.needs.matrix.survey_matrix` does it: per-respondent theme scores by the database
(:func:`~gtec.needs.matrix.theme_scores`), cells with pandas. Baseline: every answer read
(:func:`~gtec.needs.matrix.answers_frame`), then the naive per-cell Python loop over them
(:func:`~gtec.needs.matrix.compute_naive`), in the same run."""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from benchmarks.run import entry, median_ms
from gtec.core import auth
from gtec.needs import bank, matrix, surveys
from gtec.storage.workspace import Workspace

FAC = auth.Actor("bench", "facilitator")
N_RESPONSES = 1000
N_QUESTIONS = 40


def _setup(ws: Workspace) -> tuple[surveys.Survey, dict[str, str]]:
    """A survey of the bank's questions plus extra ones up to 40 (themes in turn), 1,000 random responses."""
    survey = surveys.create_survey(ws, FAC, title="bench", kind="needs", groups=bank.GROUPS,
                                   question_ids=[q.id for q in bank.BANK], mode="open")  # fmt: skip
    themes_of = {q.id: q.theme for q in bank.BANK}
    for i in range(N_QUESTIONS - len(themes_of)):
        themes_of[f"X{i:02d}"] = bank.THEMES[i % len(bank.THEMES)]
    rnd = random.Random(16)
    with ws.write(FAC, "needs.import", target=str(survey.id)) as conn:
        for r in range(N_RESPONSES):
            answers = {q: rnd.randint(1, 4) for q in themes_of if rnd.random() < 0.95}
            surveys.insert_response(conn, survey.id, f"bench:{r}", rnd.choice(bank.GROUPS), answers, "import")
    return survey, themes_of


def run(context: dict) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="gtec-bench-needs-"))
    ws = Workspace.open(tmp / "needs.sqlite")
    started = time.perf_counter()
    survey, themes_of = _setup(ws)
    load_s = time.perf_counter() - started

    def fast() -> None:  # what survey_matrix does, with the 40 questions
        matrix.cells_of(matrix.theme_scores(ws, survey.id, themes_of), bank.GROUPS, bank.THEMES)

    def naive() -> None:
        matrix.compute_naive(matrix.answers_frame(ws, survey.id), themes_of, bank.GROUPS, bank.THEMES)

    value = median_ms(fast, repeat=7)
    baseline = median_ms(naive, repeat=3)
    return {
        "needs_matrix_ms": entry(
            value, "ms", baseline, 500,
            note=f"{N_RESPONSES:,} responses x {N_QUESTIONS} questions (about 38,000 answers, written in "
            f"{load_s:.1f} s through Workspace.write), 6 groups x 8 themes: theme scores by SQL, cells by pandas; "
            "baseline = every answer read + per-cell Python loop",
        ),
    }  # fmt: skip


if __name__ == "__main__":
    print(run({}))
