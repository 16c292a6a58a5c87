"""The one way charts reach the screen: the app's Altair defaults, large in presentation mode.

A chart's Vega-Lite spec is built once per distinct chart and kept (issue 17: under a room's load, Altair's
``to_dict`` with its JSON-schema validation, the app's style and the DataFrame-to-Arrow conversion of the data
were a third of a portrait rerun). The key is a digest of the pickled chart with the language and the
presentation mode, so two charts share a spec only when their whole content (encodings and data) is equal; a
chart that cannot be pickled is converted every time, as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import pickle  # noqa: TID251  (dumps only, to fingerprint a chart: nothing is ever unpickled)
import threading
from collections import OrderedDict
from typing import Any

import streamlit as st

from components.session import presenting
from gtec.core import chartstyle

log = logging.getLogger(__name__)

try:  # Streamlit's own Altair -> Vega-Lite conversion (datasets as Arrow bytes), as st.altair_chart does
    from streamlit.elements import vega_charts as _vega
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec as _streamlit_spec
except ImportError:  # pragma: no cover - another Streamlit: st.altair_chart every time
    _vega, _streamlit_spec = None, None


def _to_spec(chart: Any) -> dict[str, Any]:
    """Streamlit's conversion (``_convert_altair_to_vega_lite_spec``) without Altair's JSON-schema validation:
    the builders' specs are validated by their tests (``to_dict()``); at run time the validation was a third
    of a scenario rerun, whose charts change with every slider. Falls back to Streamlit's own function."""
    try:
        import altair as alt

        datasets: dict[str, Any] = {}
        alt.data_transformers.register("to_arrow_dataset", _vega._to_arrow_dataset)  # type: ignore[union-attr]
        with _vega._altair_globals_lock:  # type: ignore[union-attr]
            theme = alt.theme.enable("none") if alt.theme.active == "default" else contextlib.nullcontext()
            with theme, alt.data_transformers.enable("to_arrow_dataset", datasets=datasets):
                spec = chart.to_dict(validate=False)
    except AttributeError:  # pragma: no cover - Streamlit's private helpers moved
        return _streamlit_spec(chart)  # type: ignore[misc]
    existing = spec.get("datasets")
    spec["datasets"] = {**existing, **datasets} if isinstance(existing, dict) else datasets
    return spec


#: Specs kept per process (a portrait's charts are a few KB to a few hundred KB each).
MAX_SPECS = 300
_SPECS: OrderedDict[bytes, dict[str, Any]] = OrderedDict()
_LOCK = threading.Lock()


def _fingerprint(chart: object, lang: str, large: bool) -> bytes | None:
    try:
        payload = pickle.dumps((chart, lang, large), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a lambda or an open file in the chart: no cache for this one
        return None
    return hashlib.blake2b(payload, digest_size=20).digest()


def chart_spec(chart: Any, lang: str, large: bool = False) -> dict[str, Any] | None:
    """The Vega-Lite spec of ``chart`` styled by :func:`gtec.core.chartstyle.finish` (data as Arrow datasets),
    built once per distinct chart; None when Streamlit's converter is not available."""
    if _streamlit_spec is None:
        return None
    key = _fingerprint(chart, lang, large)
    if key is not None:
        with _LOCK:
            spec = _SPECS.get(key)
            if spec is not None:
                _SPECS.move_to_end(key)
                return spec
    spec = _to_spec(chartstyle.finish(chart, lang, large=large))
    if key is not None:
        with _LOCK:
            _SPECS[key] = spec
            while len(_SPECS) > MAX_SPECS:
                _SPECS.popitem(last=False)
    return spec


def show(chart, lang: str, **kwargs) -> object:
    """``st.altair_chart`` with :func:`gtec.core.chartstyle.finish` (large type in presentation mode), through
    the kept spec of an equal chart when there is one (:func:`chart_spec`). ``chart`` may also be a Vega-Lite
    spec dict: it gets the same configuration (:func:`gtec.core.chartstyle.config`)."""
    kwargs.setdefault("width", "stretch")
    large = presenting()
    if isinstance(chart, dict):  # a Vega-Lite spec built as a dict (e.g. gtec.territories.charts.outline_spec)
        config = {**chart.get("config", {}), **chartstyle.config(lang, large)}
        return st.vega_lite_chart(spec={**chart, "config": config}, **kwargs)
    spec = chart_spec(chart, lang, large)
    if spec is None:
        return st.altair_chart(chartstyle.finish(chart, lang, large=large), **kwargs)
    return st.vega_lite_chart(spec=dict(spec), **kwargs)  # a copy: Streamlit moves the datasets out of it
