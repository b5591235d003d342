"""House-style tables: accessible HTML with a caption, header scopes and RAG as text and shape.

A :class:`Table` displays itself in JupyterLab and in rendered reports (``_repr_html_``) and
keeps the tidy figures behind it in :attr:`Table.data` for the report's open data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from markupsafe import Markup, escape

from perfreport.methods.status import Rag, Status

RAG_SHAPE = {
    Status.GREEN: "●",
    Status.AMBER: "◆",
    Status.RED: "▲",
    Status.NO_TARGET: "○",
    Status.NO_DATA: "–",
}
"""Each status has its own shape as well as colour, so it never relies on colour alone."""

Cell = str | Markup
NUMERIC_CLASS = ' class="num"'


def rag_badge(rag: Rag) -> Markup:
    """The status as shape, word and colour: ``▲ Red``."""
    return Markup(
        '<span class="rag rag-{cls}"><span class="rag-icon" aria-hidden="true">{shape}</span> {label}</span>'
    ).format(
        cls=rag.status.value.replace("_", "-"), shape=RAG_SHAPE[rag.status], label=rag.status.label
    )


@dataclass(frozen=True)
class Table:
    """A captioned table whose first column heads each row."""

    caption: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    data: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    numeric: Sequence[bool] = ()

    def _repr_html_(self) -> str:
        head = "".join(f'<th scope="col">{escape(c)}</th>' for c in self.columns)
        body = []
        for row in self.rows:
            first, *rest = row
            cells = "".join(
                f"<td{NUMERIC_CLASS if self._numeric(i + 1) else ''}>{escape(c)}</td>"
                for i, c in enumerate(rest)
            )
            body.append(f'<tr><th scope="row">{escape(first)}</th>{cells}</tr>')
        return (
            f'<table class="report-table"><caption>{escape(self.caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )

    def _numeric(self, index: int) -> bool:
        return index < len(self.numeric) and self.numeric[index]


@dataclass(frozen=True)
class Section:
    """A heading with the tables, charts or text under it, displayed as one block."""

    heading: str
    parts: Sequence[object]
    level: int = 3
    intro: str = ""

    def _repr_html_(self) -> str:
        html = [f"<h{self.level}>{escape(self.heading)}</h{self.level}>"]
        if self.intro:
            html.append(f"<p>{escape(self.intro)}</p>")
        html += [part._repr_html_() for part in self.parts]  # type: ignore[attr-defined]
        return "\n".join(html)


@dataclass(frozen=True)
class Html:
    """A fragment of HTML produced by the package (already escaped where it holds data)."""

    markup: Markup

    def _repr_html_(self) -> str:
        return str(self.markup)


@dataclass(frozen=True)
class Group:
    """Several displayable parts shown as one block, without a heading of their own."""

    parts: Sequence[object]

    def _repr_html_(self) -> str:
        return "\n".join(part._repr_html_() for part in self.parts)  # type: ignore[attr-defined]


def title_block(title: str, lead: str, note: str = "") -> Html:
    """The report's one ``h1``, the paragraph under it that says what the report covers, and
    a ``note`` (disclosure control's) if there is one."""
    block = Markup('<h1>{}</h1>\n<p class="lead">{}</p>').format(title, lead)
    if note:
        block += Markup('\n<p class="note">{}</p>').format(note)
    return Html(block)
