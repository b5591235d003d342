"""An error an IPython custom exception handler hid: the cell failed but shows no error
output, so the kernel's reply (:class:`perfreport.build.completeness.KernelReplies`) and the
cell's own output are all that name it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from perfreport.build.completeness import KernelReplies, strip_colour

if TYPE_CHECKING:
    import nbformat

HIDDEN_OUTPUT_LINES = 20
"""How much of a cell's own output error.txt quotes when its error was hidden."""


def hidden_error(
    notebook: nbformat.NotebookNode, count: int | None, replies: KernelReplies
) -> tuple[str, str]:
    """One line and the evidence for a cell that failed without an error output (papermill's
    "CellExecutionError" with no message): an IPython custom exception handler
    (``set_custom_exc``) hid the error, so the kernel's reply is all that names it.

    >>> import nbformat.v4 as v4
    >>> nb = v4.new_notebook(cells=[v4.new_code_cell("f()", execution_count=5, outputs=[
    ...     v4.new_output("stream", name="stdout", text="handled\\n")])])
    >>> hidden_error(nb, 5, KernelReplies())[0]
    'cell 5: the cell raised an error its handler hid (its last output: handled)'
    """
    reply = replies.errors.get(count if count is not None else -1, {})
    cell = next((c for c in notebook.cells if c.get("execution_count") == count), None)
    output = strip_colour(_cell_text(cell)).strip() if cell is not None else ""
    last = output.splitlines()[-1].strip() if output else ""
    ename, evalue = reply.get("ename") or "", _one_line(reply.get("evalue") or "")
    if ename:
        line = f"cell {count}: {ename}" + (f": {evalue}" if evalue else "")
        line += " (a custom exception handler hid its error output)"
    else:
        line = f"cell {count}: the cell raised an error its handler hid"
        line += f" (its last output: {last})" if last else " (it printed nothing)"
    parts = [
        f"The kernel reported an error in cell {count}, but the cell has no error output: "
        "an IPython custom exception handler (set_custom_exc) hid it."
    ]
    if ename:
        parts.append(f"The kernel's reply: {ename}: {reply.get('evalue') or ''}")
    if reply.get("traceback"):
        parts.append(strip_colour("\n".join(reply["traceback"])))
    if cell is not None:
        parts.append("The cell:\n" + cell.source)
        tail = "\n".join(output.splitlines()[-HIDDEN_OUTPUT_LINES:])
        parts.append(
            f"Its output (last {HIDDEN_OUTPUT_LINES} lines):\n{tail}"
            if tail
            else "It has no output."
        )
    return line, "\n\n".join(parts)


def _cell_text(cell: Any) -> str:
    """The text a code cell showed: streams, and the plain text of its results."""
    texts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            texts.append(output.get("text", ""))
        elif "text/plain" in output.get("data", {}):
            texts.append(output["data"]["text/plain"])
    return "".join(t if isinstance(t, str) else "".join(t) for t in texts)


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""
