"""Model: the template of a network the Routine trains (what to compute; the Routine decides how to run it)."""

from abc import ABC, abstractmethod
from typing import Any

import torch

from .types import Parameters

__all__ = ['Model']


class Model(ABC, torch.nn.Module):
    """A torch.nn.Module with its loss, optimiser and inner training loop.

    Subclasses set `criterion` and `optimiser` and record their constructor arguments in `model_kwargs` (so
    `loadModel` can rebuild them). `innerTrainingLoop` adds each batch's loss to `training_loss`; the user's
    `innerTestingLoop` fills `testing_loss['aggregate']` (and per-label entries if it likes). Call the model as
    `self(x)`: under distributed training the Routine routes that call through DistributedDataParallel.
    """

    criterion: torch.nn.Module
    optimiser: torch.optim.Optimizer
    training_loss: float
    testing_loss: dict[str, float]
    model_kwargs: dict[str, Any]

    class ModelHyperParameters(Parameters):
        """Template for a model's hyperparameters (extends Parameters)."""

    def __init__(self) -> None:
        super().__init__()
        self.training_loss = 0.0
        self.testing_loss = {'aggregate': 0.0}
        self.model_kwargs = {}
        self._wrapper: torch.nn.Module | None = None
        self._in_wrapper = False

    @abstractmethod
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """torch.nn.Module.forward."""

    @abstractmethod
    def innerTrainingLoop(self, i: int, loop_length: int, x: torch.Tensor, y: torch.Tensor) -> None:
        """One training step on batch i of loop_length: forward, loss, backward, optimiser step; adds the batch's loss
        to `self.training_loss`."""

    def setWrapper(self, wrapper: torch.nn.Module | None) -> None:
        """Route `self(x)` through `wrapper` (e.g. DistributedDataParallel(self)); None removes it."""
        object.__setattr__(self, '_wrapper', wrapper)  # not registered as a submodule: it contains this module

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._wrapper is not None and not self._in_wrapper:
            self._in_wrapper = True
            try:
                return self._wrapper(*args, **kwargs)
            finally:
                self._in_wrapper = False
        return super().__call__(*args, **kwargs)
