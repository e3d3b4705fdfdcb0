"""Split a dataset by drum: all strikes of one drum land in one split (no leakage between splits)."""

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch

__all__ = ['Splits', 'splitByDrum']


class Splits(NamedTuple):
    """Item indices of the training, validation and test splits (ascending; every strike of a drum in one split)."""

    training: list[int]
    validation: list[int]
    test: list[int]


def splitByDrum(groups: Sequence[int] | torch.Tensor, dataset_split: Sequence[float], seed: int) -> Splits:
    """Item indices of the (training, validation, test) splits, as `Splits`.

    groups: the drum id of every item. dataset_split: fractions of the drums for each split (summing to 1). The drums
    are shuffled with `seed` and cut by those fractions (rounded; every split with a fraction > 0 gets at least one
    drum when there are enough drums). Raises ValueError if a split with a fraction > 0 would be empty.
    """
    ids = np.asarray(groups.tolist() if isinstance(groups, torch.Tensor) else list(groups), dtype=np.int64)
    drums = np.unique(ids)
    order = np.random.default_rng(seed).permutation(drums)
    fractions = np.asarray(dataset_split, dtype=np.float64)
    counts = np.floor(fractions * len(drums) + 0.5).astype(int)
    for k in (1, 2):  # validation and test get a drum if they asked for any
        if fractions[k] > 0 and counts[k] == 0:
            counts[k] = 1
    counts[0] = len(drums) - counts[1] - counts[2]
    if any(counts[k] < 1 for k in range(3) if fractions[k] > 0):
        raise ValueError(
            f'{len(drums)} drums cannot be split by {tuple(dataset_split)} with every split non-empty; use more drums.'
        )
    cuts = np.cumsum(counts)[:2]
    sets = [set(part.tolist()) for part in np.split(order, cuts)]
    training, validation, test = ([i for i, d in enumerate(ids.tolist()) if d in s] for s in sets)
    return Splits(training, validation, test)
