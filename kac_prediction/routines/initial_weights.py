"""Start a routine's network from trained weights (the `init_from` parameter): fine-tune a shipped model, or an earlier
run, instead of starting from random weights.

    kac-prediction train --routine dim_of_rectangular_drum --config … --init_from=rectangle
    kac-prediction train --routine size_of_circular_drum --init_from=model/abc123xyz0

Only the weights are taken: the optimiser, the learning-rate schedule and the epoch count start afresh, and the
routine then refits its label scaling on its own training split (`fitLabels`). Unlike `--resume`, which continues
one interrupted run, this starts a new run. The new run's test split is held out from the source only if the
source was trained on the same dataset with the same seed and dataset_split (as the shipped models' cards record).
"""

import os
from collections.abc import Callable

import torch

__all__ = ['initialWeights', 'loadInitialWeights']


def initialWeights(build: Callable[[], torch.nn.Module], source: str) -> dict[str, torch.Tensor] | None:
    """The state dict of `source` for the network `build()` makes, checked as `loadInitialWeights` checks it, or None
    for an empty source. A routine calls it before making any data, so a wrong source fails at once. The caller's
    random state is saved and restored around it (the run's own network, built later, draws the same initial
    weights as without init_from)."""
    if not source:
        return None
    with torch.random.fork_rng(devices=[]):  # building either network draws random initial weights
        model = build()
        loadInitialWeights(model, source)
    return model.state_dict()


def loadInitialWeights(model: torch.nn.Module, source: str) -> None:
    """Copy into `model`, in place, the weights of `source`: a shipped family ('circle', 'rectangle', 'polygon'), a
    run directory (its best checkpoint) or a checkpoint file. The source's network must be of the same class and
    shape (same architecture, depth, labels; for outlines the same grid): ValueError naming the difference
    otherwise; FileNotFoundError if there is nothing at `source`. Weights stored as float16 are widened to the
    model's dtype."""
    from ..inference import loadPredictor
    from ..models import FAMILIES, loadPretrained

    if source in FAMILIES:
        other = loadPretrained(source).model
    elif os.path.exists(source):
        other = loadPredictor(source).model
    else:
        raise FileNotFoundError(
            f'init_from: {source!r} is neither a shipped family ({", ".join(FAMILIES)}) nor a run directory or '
            'checkpoint file: give one of those, or leave init_from empty to start from random weights.'
        )
    if type(other) is not type(model):
        raise ValueError(
            f'init_from: {source!r} holds a {type(other).__name__}, this run trains a {type(model).__name__}: set '
            'architecture (and the routine) to match the source, or choose another source.'
        )
    own, theirs = model.state_dict(), other.state_dict()
    differences = [
        f'{key} {tuple(theirs[key].shape) if key in theirs else "absent"} ≠ {tuple(value.shape)}'
        for key, value in own.items()
        if key not in theirs or theirs[key].shape != value.shape
    ] + [f'{key} is not in this network' for key in theirs if key not in own]
    if differences:
        raise ValueError(
            f"init_from: the network in {source!r} differs from this run's ({'; '.join(differences[:3])}"
            f'{"; …" if len(differences) > 3 else ""}): set depth, labels and grid_size as the source was trained.'
        )
    model.load_state_dict({key: value.to(own[key].dtype) for key, value in theirs.items()})
