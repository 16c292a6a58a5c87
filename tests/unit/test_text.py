"""gtec.core.text: whatever a person types, once escaped it renders as that text and nothing else."""

from __future__ import annotations

import html as std_html
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from gtec.core.text import clean, html, md

# CommonMark + GitHub's extras that Streamlit enables (tables, strikethrough, bare-link autolinking).
RENDERER = MarkdownIt("commonmark", {"linkify": True, "html": True}).enable(["table", "strikethrough", "linkify"])
SYNTAX = [*"\\`*_{}[]()#+-.!|<>~$:&@=^%'\"/;?,", "http://", "www.", "![x](", "](http://e.x)", ":red[", "\n", "  "]
hostile = st.lists(st.one_of(st.sampled_from(SYNTAX), st.text(max_size=4)), max_size=40).map("".join)
UNESCAPED_PUNCT = re.compile(r"(?<!\\)(?:\\\\)*[!-/:-@\[-`{-~]")


@settings(max_examples=400, deadline=None)
@given(hostile)
def test_escaped_text_renders_as_plain_text_with_no_tag_link_or_image(value):
    rendered = RENDERER.render(md(value))
    tags = set(re.findall(r"</?([a-z0-9]+)", rendered))
    assert tags <= {"p"}, (value, rendered)
    text = std_html.unescape(re.sub(r"</?p>", "", rendered)).strip()
    assert " ".join(text.split()) == " ".join(clean(value).split())


@settings(max_examples=300, deadline=None)
@given(hostile)
def test_no_punctuation_is_left_for_streamlit_directives(value):
    # :red[...], :material/x:, :emoji:, $latex$ are read from the Markdown source: none may stay unescaped.
    escaped = md(value)
    stripped = re.sub(r"\\[!-/:-@\[-`{-~]", "", escaped)
    assert not UNESCAPED_PUNCT.search(stripped), escaped


@settings(max_examples=200, deadline=None)
@given(hostile)
def test_multiline_keeps_lines_but_builds_no_block(value):
    rendered = RENDERER.render(md(value, multiline=True))
    assert set(re.findall(r"</?([a-z0-9]+)", rendered)) <= {"p", "br"}, rendered


@given(st.text(max_size=60))
def test_html_escaping_leaves_no_markup(value):
    out = html(value)
    assert "<" not in out and ">" not in out and '"' not in out
    assert std_html.unescape(out) == clean(value, keep_newlines=True)


def test_known_attacks_from_the_review():
    assert RENDERER.render(md("![q](http://evil.example/x.png)")).count("<img") == 0
    assert "<a" not in RENDERER.render(md("session expirée, connectez-vous sur http://evil.example"))
    assert "<a" not in RENDERER.render(md("www.evil.example"))
    assert md(":red[**Session expirée**]").startswith("\\:red\\[\\*\\*")
    assert md(":material/warning: Atelier") == "\\:material\\/warning\\: Atelier"
    assert md(None) == "" and md("  Pays de   Vannes ") == "Pays de   Vannes"
