"""One set of Altair defaults for every chart of the app (no streamlit): type sizes, number formats, legends.

Every chart builder ends with :func:`finish`; the page renderer calls it again with ``large=True`` in
presentation mode (``configure_*`` replaces the previous values, so the second call wins).

- French numbers: thousands separated by a narrow no-break space, decimal comma (Vega's ``config.locale``,
  so every ``format=",.0f"`` axis, legend and tooltip follows the reader's language).
- Legends and axis titles are never cut (``labelLimit``/``titleLimit`` 0) and legends sit under the plot,
  where they have the chart's whole width.
"""

from __future__ import annotations

from typing import Any, TypeVar

from gtec.core.i18n import choose

C = TypeVar("C")

#: Font sizes (px) for the normal screen and for presentation mode (read from the back of a room).
SIZES = {False: {"label": 14, "title": 15, "heading": 17}, True: {"label": 17, "title": 18, "heading": 22}}
#: Streamlit draws chart text in its own "Source Sans" (CSS on the SVG); Vega must measure labels in the same font,
#: or it reserves too little room and long axis labels are cut at the left edge (measured: 111 px vs 148 px).
FONT = '"Source Sans", "Source Sans Pro", "Source Sans 3", sans-serif'


def locale(lang: str) -> dict[str, Any]:
    """Vega's number (and date) locale for ``lang``: ``12 345,6`` in French, ``12,345.6`` in English."""
    return choose(
        lang,
        fr={
            "number": {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0€"]},
            "time": {
                "dateTime": "%A %e %B %Y à %X",
                "date": "%d/%m/%Y",
                "time": "%H:%M:%S",
                "periods": ["", ""],
                "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
                "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
                "months": [
                    "janvier",
                    "février",
                    "mars",
                    "avril",
                    "mai",
                    "juin",
                    "juillet",
                    "août",
                    "septembre",
                    "octobre",
                    "novembre",
                    "décembre",
                ],
                "shortMonths": [
                    "janv.",
                    "févr.",
                    "mars",
                    "avr.",
                    "mai",
                    "juin",
                    "juil.",
                    "août",
                    "sept.",
                    "oct.",
                    "nov.",
                    "déc.",
                ],
            },
        },
        en={"number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["£", ""]}},
    )


def config(lang: str, large: bool = False) -> dict[str, Any]:
    """The top-level Vega-Lite ``config`` the app uses (see module docstring)."""
    s = SIZES[large]
    return {
        "locale": locale(lang),
        "font": FONT,
        "axis": {
            "labelFontSize": s["label"],
            "titleFontSize": s["title"],
            "labelLimit": 360,
            "titleLimit": 0,
            "labelColor": "#31333f",
            "titleColor": "#31333f",
            "titleFontWeight": "normal",
        },
        "legend": {
            "labelFontSize": s["label"],
            "titleFontSize": s["title"],
            "labelLimit": 0,
            "titleLimit": 0,
            "orient": "bottom",
            "direction": "horizontal",
            "columns": 2,
            "symbolSize": 160 if large else 110,
            "labelColor": "#31333f",
            "titleColor": "#31333f",
        },
        "header": {"labelFontSize": s["label"], "titleFontSize": s["title"]},
        "title": {"fontSize": s["heading"], "anchor": "start", "fontWeight": "normal", "limit": 0},
        "text": {"fontSize": s["label"]},
        "view": {"strokeWidth": 0},
    }


def finish(chart: C, lang: str, large: bool = False) -> C:
    """``chart`` with the app's defaults (replacing any previous top-level configuration)."""
    # What chart.configure(**config) does (a shallow copy with a new top-level config), with the config kept a
    # plain dict: building Altair's Config object from it took 15-20 ms per chart, and every scenario slider
    # change rebuilds its charts (issue 17). The spec is the same; to_dict() still validates it.
    styled: Any = chart.copy(deep=False)  # type: ignore[attr-defined]
    styled.config = config(lang, large)
    return styled  # type: ignore[no-any-return]


#: Vega expression that draws an axis label on several lines where :func:`wrap_label` put a ``|``.
SPLIT_LABEL = "split(datum.label, '|')"


#: Legal forms shortened in chart labels (the tooltip keeps the full name).
SHORT_FORMS: tuple[tuple[str, str], ...] = (
    ("Communauté de communes ", "CC "),
    ("Communauté d'agglomération ", "CA "),
    ("Communauté urbaine ", "CU "),
)


def short_name(name: str) -> str:
    """A territory's name for a chart label: "Communauté de communes Arc Sud Bretagne" -> "CC Arc Sud Bretagne"."""
    for long, short in SHORT_FORMS:
        if name.startswith(long):
            return short + name[len(long) :]
    return name


def wrap_label(text: str, width: int = 24, max_lines: int | None = None) -> str:
    """``text`` broken into lines of at most about ``width`` characters at spaces, lines joined by ``|`` (an
    axis with ``labelExpr=SPLIT_LABEL`` draws them one under the other, so long names are neither cut nor
    stretching the plot away). A word longer than ``width`` stays whole. With ``max_lines`` the lines are made
    longer rather than more numerous (a third line ran into the next row of a bar chart)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if max_lines and len(lines) > max_lines:
        return wrap_label(text, width + 2, max_lines)
    return "|".join(lines) if lines else text
