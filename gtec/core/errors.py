"""One error shape for what users do wrong.

Domain functions raise :class:`UserError` with a catalogue key and the values its message needs; pages
translate it with :func:`gtec.core.i18n.t` (``t(error.key, lang, **error.values)``). Nothing else is shown to
the user: no exception text, no path, no traceback.
"""

from __future__ import annotations


class UserError(ValueError):
    """Bad input or a refused operation. ``key`` is an i18n catalogue key, ``values`` fill its placeholders."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    @property
    def code(self) -> str:
        """The last part of the key (``auth.error.username_taken`` -> ``username_taken``)."""
        return self.key.rsplit(".", 1)[-1]

    def __repr__(self) -> str:
        return f"UserError({self.key!r}, {self.values!r})"


class EditConflict(UserError):
    """Someone else saved the same object since the editor loaded it: the save is refused, nothing is lost.

    ``conflicts`` lists, per object, what the editor tried to save and what is stored now
    (``{"id", "field", "yours", "theirs", "by", "at"}``) so the page can show both values.
    """

    def __init__(self, key: str, conflicts: list[dict[str, object]], **values: object) -> None:
        super().__init__(key, count=len(conflicts), **values)
        self.conflicts = conflicts
