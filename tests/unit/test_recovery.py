"""Exact recovery of withheld cells from additive relations (perfreport.methods.recovery)."""

from __future__ import annotations

import numpy as np

from perfreport.methods.recovery import averaged, determined, holds, solve, summed


def _mask(n: int, cells: list[int]) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    out[cells] = True
    return out


def test_one_unknown_part_is_determined_and_solved():
    values = np.array([20.0, 3.0, 12.0, 5.0])
    rel = [summed(np.array([0, 1, 2, 3]))]
    unknown = _mask(4, [1])
    assert determined(unknown, rel).tolist() == [False, True, False, False]
    assert solve(np.where(unknown, np.nan, values), unknown, rel) == {1: 3.0}


def test_two_unknowns_in_one_sum_are_safe():
    rel = [summed(np.array([0, 1, 2, 3]))]
    assert not determined(_mask(4, [1, 2]), rel).any()


def test_a_rectangle_across_two_hierarchies_is_safe_but_three_corners_of_a_chain_are_not():
    # a 2 x 2 table with row and column totals: cells 0..3 = a b / c d; totals 4..7
    # rows: 4 = a + b, 5 = c + d; columns: 6 = a + c, 7 = b + d
    rels = [summed(np.array(r)) for r in ([4, 0, 1], [5, 2, 3], [6, 0, 2], [7, 1, 3])]
    assert not determined(_mask(8, [0, 1, 2, 3]), rels).any()  # one degree of freedom left
    # a b c withheld, d shown: c = 5 - d, then a = 6 - c, then b = 4 - a
    values = np.array([1.0, 2.0, 3.0, 4.0, 3.0, 7.0, 4.0, 6.0])
    unknown = _mask(8, [0, 1, 2])
    assert determined(unknown, rels)[[0, 1, 2]].all()
    assert solve(np.where(unknown, np.nan, values), unknown, rels) == {0: 1.0, 1: 2.0, 2: 3.0}


def test_a_chain_through_a_second_relation_is_followed():
    # quarter 0 = months 1 2 3; partnership month 4 = locality months 1 and 5
    rels = [summed(np.array([0, 1, 2, 3])), summed(np.array([4, 1, 5]))]
    unknown = _mask(6, [1, 2])  # 1 from the partnership, then 2 from the quarter
    assert determined(unknown, rels)[[1, 2]].all()
    unknown = _mask(6, [1, 2, 5])  # three unknowns, two equations
    assert not determined(unknown, rels).any()
    values = np.array([10.0, 2.0, 3.0, 5.0, 9.0, 7.0])
    unknown = _mask(6, [2, 5])  # 2 from the quarter, then 5 from the partnership
    assert solve(np.where(unknown, np.nan, values), unknown, rels) == {2: 3.0, 5: 7.0}


def test_means_and_checks():
    values = np.array([4.0, 3.0, 5.0])
    assert holds(averaged(np.arange(3)), values) and not holds(summed(np.arange(3)), values)
    unknown = _mask(3, [2])
    assert solve(np.where(unknown, np.nan, values), unknown, [averaged(np.arange(3))]) == {2: 5.0}
