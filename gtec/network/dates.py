"""Dates of the partner network: ISO days entered by people, and calendar windows counted in months."""

from __future__ import annotations

import calendar
from datetime import date

from gtec.core.errors import UserError


def parse_day(value: object, *, allow_future: bool = False, today: date | None = None) -> date:
    """``value`` (a ``date`` or ``YYYY-MM-DD`` text) as a date; :class:`UserError` ``network.error.date`` or
    ``network.error.future_date`` (a log records what happened, not what is planned)."""
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value or "").strip())
        except ValueError as exc:
            raise UserError("network.error.date") from exc
    if day.year < 1900:
        raise UserError("network.error.date")
    if not allow_future and day > (today or date.today()):
        raise UserError("network.error.future_date")
    return day


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the 31st becomes the month's last day)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
