"""Text from people, files and URLs is data, not markup: the one escaping helper for Markdown and HTML.

Streamlit renders Markdown almost everywhere (titles, captions, alerts, metric labels, radio options, tabs,
expanders, ``st.table`` cells) and adds its own directives (``:red[...]``, ``:material/icon:``, ``:smile:``,
``$LaTeX$``) and GitHub's bare-link autolinking. :func:`md` backslash-escapes every ASCII punctuation character
(CommonMark allows escaping any of them), which neutralises all of those at once, breaks ``http://`` and
``www.`` autolinks, and turns block syntax at a line start (``#``, ``>``, ``-``, ``1.``) into text. Leading
spaces are dropped so that no line becomes an indented code block. :func:`html` is for HTML contexts
(exports, map tooltips, ``st.html``).

Do not escape what Streamlit shows as plain text (``st.selectbox``/``st.multiselect`` options,
``st.dataframe`` cells, ``st.text``): the backslashes would show.
"""

from __future__ import annotations

import html as _html
import re
import unicodedata

_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
#: Characters that render as nothing or reorder text (controls, bidi overrides, zero-width joiners, private
#: use, unassigned), dropped. Spaces such as the French non-breaking and narrow no-break spaces are kept.
_INVISIBLE = {"Cf", "Cc", "Co", "Cs", "Cn"}


def clean(value: object, *, keep_newlines: bool = False) -> str:
    """``value`` as text without invisible or control characters (tabs and, unless kept, newlines -> spaces)."""
    return "" if value is None else _printable(str(value), keep_newlines)


def _printable(text: str, keep_newlines: bool) -> str:
    out = []
    for ch in text:
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif ch in "\t\r\n":
            out.append(" ")
        elif unicodedata.category(ch) not in _INVISIBLE:
            out.append(ch)
    return "".join(out)


def md(value: object, *, multiline: bool = False) -> str:
    """``value`` as literal text inside Markdown: no formatting, link, image, icon, colour, emoji or LaTeX.

    ``multiline`` keeps line breaks (as hard breaks); otherwise the text is one line. ``None`` gives ``""``.
    """
    if value is None:
        return ""
    text = _printable(str(value), keep_newlines=multiline)
    escaped = _ASCII_PUNCTUATION.sub(r"\\\1", text)
    if not multiline:
        return escaped.strip()
    lines = [line.strip() for line in escaped.split("\n")]
    return "  \n".join(lines).strip()


def html(value: object) -> str:
    """``value`` as literal text inside HTML (quotes escaped too, for attributes). ``None`` gives ``""``."""
    if value is None:
        return ""
    return _html.escape(_printable(str(value), keep_newlines=True), quote=True)


def md_values(values: dict[str, object]) -> dict[str, object]:
    """Format values for a Markdown message: every string escaped (values are data: names, URL values...)."""
    return {k: md(v) if isinstance(v, str) else v for k, v in values.items()}
