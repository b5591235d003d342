"""Which withheld cells of a table can be worked out exactly from the cells that are shown.

A published table is a set of cells tied by additive *relations*: a total equals the sum of its
parts (a partnership's count is its localities' counts added up; a quarter's is its three
months'). Withholding a small count protects it only if no combination of the relations pins
it down. This module answers that question exactly, for any number of overlapping relations
(areas, months in quarters, quarters in years at once), by linear algebra: a withheld cell is
*determined* when its unit vector lies in the row space of the relations restricted to the
withheld cells, i.e. when every solution of the equations gives it the same value (the
"exact disclosure" of the audit literature; Hundepool et al., *Statistical Disclosure
Control*, 2012, section 4.3).

Both sides use it: disclosure control adds complementary suppressions until nothing is
determined, and the auditor solves the equations of a published site to recover what it can.

>>> relations = [summed(np.array([0, 1, 2, 3]))]  # cell 0 = cells 1 + 2 + 3
>>> determined(np.array([False, True, False, False]), relations).tolist()
[False, True, False, False]
>>> determined(np.array([False, True, True, False]), relations).tolist()
[False, False, False, False]
>>> solve(np.array([10.0, np.nan, 3.0, 4.0]), np.array([False, True, False, False]), relations)
{1: 3.0}
>>> solve(np.array([2.0, 1.0, np.nan]), np.array([False, False, True]), [averaged(np.arange(3))])
{2: 3.0}
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

TOLERANCE = 1e-9
"""Below this a singular value, or a null-space coefficient, counts as zero."""

Relation = tuple[np.ndarray, np.ndarray]
"""One linear relation among cells: their row indices and coefficients, summing to zero."""


def summed(cells: np.ndarray) -> Relation:
    """The relation "the first cell is the sum of the others"."""
    coefficients = -np.ones(len(cells))
    coefficients[0] = 1.0
    return np.asarray(cells), coefficients


def averaged(cells: np.ndarray) -> Relation:
    """The relation "the first cell is the mean of the others"."""
    coefficients = -np.ones(len(cells))
    coefficients[0] = len(cells) - 1.0
    return np.asarray(cells), coefficients


def holds(relation: Relation, values: np.ndarray) -> bool:
    """Whether ``values`` (all known) satisfy ``relation``, to rounding error."""
    cells, coefficients = relation
    amounts = values[cells]
    return bool(abs(float(coefficients @ amounts)) <= 1e-6 * max(1.0, float(np.abs(amounts).max())))


def _components(
    unknown: np.ndarray, relations: Sequence[Relation]
) -> list[tuple[list[Relation], list[int]]]:
    """The relations touching an unknown cell, grouped into independent systems: each a list
    of relations and the sorted unknown cells they share."""
    parent: dict[int, int] = {}

    def find(cell: int) -> int:
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    touching = []
    for relation in relations:
        cells = [int(c) for c in relation[0] if unknown[c]]
        if not cells:
            continue
        touching.append((relation, cells))
        for cell in cells:
            parent.setdefault(cell, cell)
        root = find(cells[0])
        for cell in cells[1:]:
            other = find(cell)
            if other != root:
                parent[other] = root
    systems: dict[int, tuple[list[Relation], set[int]]] = {}
    for relation, cells in touching:
        rels, members = systems.setdefault(find(cells[0]), ([], set()))
        rels.append(relation)
        members.update(cells)
    return [(rels, sorted(members)) for rels, members in systems.values()]


def _matrix(relations: list[Relation], cells: list[int]) -> np.ndarray:
    column = {cell: i for i, cell in enumerate(cells)}
    matrix = np.zeros((len(relations), len(cells)))
    for row, (members, coefficients) in enumerate(relations):
        for cell, coefficient in zip(members, coefficients, strict=True):
            if int(cell) in column:
                matrix[row, column[int(cell)]] += coefficient
    return matrix


def _determined_in(matrix: np.ndarray) -> np.ndarray:
    """Which columns of ``matrix`` (unknowns) every solution of ``matrix @ x = b`` fixes."""
    # every row of vt is needed (its last rows span the null space), but U only as far as it
    # goes with them: for a tall matrix the full U (relations by relations) is most of the work
    rows, columns = matrix.shape
    _, singular, vt = np.linalg.svd(matrix, full_matrices=rows < columns)
    rank = int((singular > TOLERANCE * max(1.0, singular.max(initial=0.0))).sum())
    null = vt[rank:]
    if null.shape[0] == 0:
        return np.ones(matrix.shape[1], dtype=bool)
    determined: np.ndarray = np.all(np.abs(null) < 1e-7, axis=0)
    return determined


def determined(unknown: np.ndarray, relations: Sequence[Relation]) -> np.ndarray:
    """Which unknown cells the relations fix, whatever the shown cells hold.

    Depends only on which cells are unknown, not on their values.
    """
    out = np.zeros(len(unknown), dtype=bool)
    for rels, cells in _components(unknown, relations):
        fixed = _determined_in(_matrix(rels, cells))
        out[np.asarray(cells)[fixed]] = True
    return out


def witnesses(unknown: np.ndarray, relations: Sequence[Relation], cell: int) -> list[int]:
    """The shown cells that a working-out of the determined unknown ``cell`` reads (their net
    coefficient in one combination of the relations that fixes it is not zero): the figures
    that give it back, one of which must be withheld too. Empty if ``cell`` is not determined.
    """
    for rels, cells in _components(unknown, relations):
        if cell not in cells:
            continue
        target = np.zeros(len(cells))
        target[cells.index(cell)] = 1.0
        weights, *_ = np.linalg.lstsq(_matrix(rels, cells).T, target, rcond=None)
        net: dict[int, float] = {}
        for weight, (members, coefficients) in zip(weights, rels, strict=True):
            for member, coefficient in zip(members, coefficients, strict=True):
                if not unknown[member]:
                    net[int(member)] = net.get(int(member), 0.0) + float(weight * coefficient)
        return sorted(m for m, amount in net.items() if abs(amount) > 1e-7)
    return []


def solve(
    values: np.ndarray, unknown: np.ndarray, relations: Sequence[Relation]
) -> dict[int, float]:
    """The value of every unknown cell the relations fix, worked out from the shown cells."""
    found: dict[int, float] = {}
    for rels, cells in _components(unknown, relations):
        matrix = _matrix(rels, cells)
        fixed = _determined_in(matrix)
        if not fixed.any():
            continue
        rhs = np.zeros(len(rels))
        for row, (members, coefficients) in enumerate(rels):
            for cell, coefficient in zip(members, coefficients, strict=True):
                if not unknown[cell]:
                    rhs[row] -= coefficient * values[cell]
        solution = np.linalg.lstsq(matrix, rhs, rcond=None)[0]
        for i in np.flatnonzero(fixed):
            found[cells[i]] = round(float(solution[i]), 9)
    return found
