"""How the pipeline's objects show in a notebook, without the pipeline importing upwards.

The objects computed by :mod:`hailong.numbers` (``Results``, ``Trend``) answer IPython's
``_repr_html_`` through :func:`html_view`; the presentation stage registers the function
that draws each kind (:func:`register_html`, done by :mod:`hailong.present.display` when
it is imported, as every report and analysis notebook does). An object without a
registered view shows its one-line text ``repr``.
"""

from __future__ import annotations

from collections.abc import Callable

_HTML: dict[str, Callable[[object], str]] = {}


def register_html(kind: str, view: Callable[[object], str]) -> None:
    """Show objects whose class is named ``kind`` with ``view(obj) -> html``."""
    _HTML[kind] = view


def html_view(obj: object) -> str | None:
    """The HTML of ``obj`` by its registered view, or ``None`` (IPython then shows the text
    ``repr``)."""
    view = _HTML.get(type(obj).__name__)
    return view(obj) if view is not None else None
