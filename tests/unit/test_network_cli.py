"""``python -m gtec network``: reciprocity, duplicates, merge, a person's export and erasure from a shell."""

from __future__ import annotations

import json

from gtec.cli.main import main
from gtec.core import auth
from gtec.core.i18n import t
from gtec.network import contacts, interactions, organisations

FAC = auth.Actor("fac", "facilitator")


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["network", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_network_commands(ws, capsys):
    a = organisations.create(
        ws, FAC, organisations.OrganisationDraft("Forges de Bretagne SAS", "company", "FR", "FR-COM-56260")
    )
    b = organisations.create(
        ws, FAC, organisations.OrganisationDraft("FORGES DE BRETAGNE", "company", "FR", "FR-COM-56260")
    )
    person = contacts.create(ws, FAC, contacts.ContactDraft(b, "Léa Guého", "lea@forges.example"))
    interactions.log_interaction(ws, FAC, "2026-11-01", "meeting", [a], [])
    interactions.log_interaction(ws, FAC, "2026-11-02", "visit", [b], [person])
    code, out, _ = _cli(capsys, "reciprocity", "--today", "2026-12-01")
    assert code == 0 and "0/2 partners" in out and "UNDER" in out
    code, out, _ = _cli(capsys, "duplicates")
    assert code == 0 and f"{a:>6} {b:>6}  name" in out
    code, out, _ = _cli(capsys, "merge", str(a), str(b))
    assert code == 0 and "contacts 1" in out
    code, out, _ = _cli(capsys, "reciprocity", "--today", "2026-12-01")
    assert "1/1 partners" in out
    code, out, _ = _cli(capsys, "export-contact", str(person))
    assert code == 0 and json.loads(out)["contact"]["email"] == "lea@forges.example"
    code, out, _ = _cli(capsys, "erase-contact", str(person))
    assert code == 0 and "1 interaction(s) anonymised" in out
    code, _, err = _cli(capsys, "erase-contact", str(person))
    assert code == 2 and t("network.error.already_erased", "en", date="")[:40] in err
    code, _, err = _cli(capsys, "reciprocity", "--today", "not-a-date")
    assert code == 2 and err.startswith("error: ") and "Traceback" not in err
