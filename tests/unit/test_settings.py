"""Admin settings: defaults, audited changes, refusals."""

from __future__ import annotations

import pytest

from gtec.access import audit, settings
from gtec.core import auth
from gtec.core.errors import UserError

ADMIN = auth.Actor("Admin", "admin")
FACILITATOR = auth.Actor("Fac", "facilitator")


def test_a_setting_nobody_changed_reads_as_its_default(ws):
    assert settings.get_value(ws, "imports.facilitators_allowed") is False
    assert settings.get_value(ws, "practices.public_reading") is True


def test_an_admin_changes_a_setting_and_the_change_is_audited(ws):
    settings.set_value(ws, ADMIN, "imports.facilitators_allowed", True)
    assert settings.get_value(ws, "imports.facilitators_allowed") is True
    settings.set_value(ws, ADMIN, "imports.facilitators_allowed", False)
    assert settings.get_value(ws, "imports.facilitators_allowed") is False
    rows = audit.search_audit(ws, ADMIN, [], ["setting.change"], None, None, limit=10)
    assert len(rows) == 2


def test_a_facilitator_may_not_change_settings(ws):
    with pytest.raises(auth.PermissionDenied):
        settings.set_value(ws, FACILITATOR, "practices.public_reading", False)
    assert settings.get_value(ws, "practices.public_reading") is True


@pytest.mark.parametrize(("key", "value"), [("no.such", True), ("practices.public_reading", "yes")])
def test_unknown_keys_and_wrong_types_are_refused(ws, key, value):
    with pytest.raises(UserError):
        settings.set_value(ws, ADMIN, key, value)
