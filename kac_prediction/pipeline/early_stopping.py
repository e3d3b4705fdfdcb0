"""Early stopping on the validation loss."""

import math
from typing import Any

__all__ = ['EarlyStopping']


class EarlyStopping:
    """Stop after `patience` epochs without a validation loss below (best − min_delta); patience 0 never stops.

    `best` is the lowest loss seen (it chooses best.pt); `step` returns whether the loss is a new best.
    """

    def __init__(self, patience: int, min_delta: float = 0.0) -> None:
        self.patience, self.min_delta = patience, min_delta
        self.best = math.inf
        self.best_epoch = -1
        self.reference = math.inf  # the loss an improvement must beat by min_delta
        self.bad_epochs = 0

    def step(self, loss: float, epoch: int) -> bool:
        """Record the validation loss of `epoch`; True if it is the lowest so far."""
        if loss < self.reference - self.min_delta:
            self.reference, self.bad_epochs = loss, 0
        else:
            self.bad_epochs += 1
        if loss < self.best:
            self.best, self.best_epoch = loss, epoch
            return True
        return False

    @property
    def shouldStop(self) -> bool:
        """True once `patience` epochs have passed without an improvement larger than min_delta."""
        return self.patience > 0 and self.bad_epochs >= self.patience

    def state_dict(self) -> dict[str, Any]:
        """The state to checkpoint."""
        return dict(vars(self))

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a checkpointed state."""
        vars(self).update(state)
