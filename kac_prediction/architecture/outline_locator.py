"""OutlineLocator: SpectrumLocator's network hearing a drum's size and its outline (an occupancy mask).

A drum's shape fixes the ratios of its resonances, its size where they sit: on the log-frequency axis, shape is the
pattern of peaks and size its position. The size is located as SpectrumLocator locates it (a soft argmax over the
band axis). The mask is read from features that do not depend on that position: a 1 × 1 convolution widens each
position's features (which see ≈ a decade of bands around it) to `MASK_FEATURES` channels, their mean and maximum
over the positions are taken, and a two-layer perceptron maps those (and the standardised size, for where the band
window cuts the spectrum) to the mask's logits. CRePE's outline head instead reads a flattening of 4 pooled
positions, which has to learn every shape at every position (docs/results.md compares the two).
"""

from collections.abc import Sequence

import torch

from .crepe import Depth, Optimiser, buildOptimiser
from .outline_outputs import OutlineOutputs
from .spectrum_locator import SpectrumLocator

__all__ = ['OutlineLocator']

MASK_FEATURES = 128
"""Channels of the 1 × 1 convolution whose position mean and maximum the mask is read from."""
HIDDEN_UNITS = 256
"""Units of the mask perceptron's hidden layer."""


class OutlineLocator(OutlineOutputs, SpectrumLocator):
    """SpectrumLocator predicting a size (`size_label`: `drum_size` in m, or `transit_time` in s; standardised in ln
    space) and the logits of a grid_size × grid_size occupancy mask of the shape in its canonical pose
    (`mask[x_index, y_index]`), as OutlineCRePE (module docstring for the mask head).

    Input: band power (batch, 1024), float32. Output: (batch, 1 + grid_size²): the standardised size, then the mask
    logits flattened row-major. `encodeTargets`, `decodeOutputs`, `predict`: OutlineOutputs. Trained with
    `OutlineLoss`.
    """

    def __init__(
        self,
        depth: Depth,
        dropout: float,
        learning_rate: float,
        optimiser: Optimiser,
        grid_size: int = 32,
        label_mean: Sequence[float] | None = None,
        label_spread: Sequence[float] | None = None,
        dynamic_range: float = 8.0,
        mask_weight: float = 1.0,
        size_label: str = 'drum_size',
        mirror_invariant: bool = False,
        iou_weight: float = 0.0,
    ) -> None:
        """depth, dropout, learning_rate, optimiser, dynamic_range: as SpectrumLocator (dropout also before the mask
        perceptron). grid_size, label_mean, label_spread, mask_weight, size_label, mirror_invariant, iou_weight: as
        OutlineCRePE."""
        grid_size, mask_weight, iou_weight = self.checkOutline(grid_size, mask_weight, size_label, iou_weight)
        super().__init__(
            depth, dropout, learning_rate, optimiser, labels=[size_label], log_labels=[size_label],
            label_mean=label_mean, label_spread=label_spread, dynamic_range=dynamic_range,
        )  # fmt: skip
        self.expand = torch.nn.Conv1d(self.stem.out_channels, MASK_FEATURES, 1)
        self.mask_head = torch.nn.Sequential(
            torch.nn.Linear(2 * MASK_FEATURES + 1, HIDDEN_UNITS), torch.nn.ReLU(),
            torch.nn.Linear(HIDDEN_UNITS, grid_size**2),
        )  # fmt: skip
        self.optimiser = buildOptimiser(self, optimiser, learning_rate)  # now over the mask head's weights too
        self._setOutline(grid_size, mask_weight, size_label, mirror_invariant, iou_weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Band power (batch, 1024) → (batch, 1 + grid_size²): the standardised size, then the mask logits."""
        h = self._features(x)
        size = self._located(h)
        e = torch.relu(self.expand(h))
        pooled = torch.cat([e.mean(dim=2), e.amax(dim=2), size.detach()], dim=1)
        pooled = torch.nn.functional.dropout(pooled, p=self.dropout, training=self.training)
        return torch.cat([size, self.mask_head(pooled)], dim=1)
