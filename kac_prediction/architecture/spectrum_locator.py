"""SpectrumLocator: a fully convolutional network that finds where a drum's pattern of peaks sits on the
log-frequency axis, and reads its labels from that position.

A drum's resonances all scale as wave_speed / size, so on the 1024 log-spaced bands (0.5 % apart) a change of size
or of material shifts the whole pattern of peaks: ln(transit_time) is, up to a constant, minus the pattern's position
times the band spacing. CRePE's stack pools the 1024 bands down to 4 positions and must learn that position from its
channels, which takes many epochs; this network keeps the band axis throughout. A strided stem (kernel 9, stride 2)
gives 512 positions, two bands (1 %) apart; dilated residual convolutions (kernel 9, dilations 1, 2, …, 32: a receptive
field of 505 positions, 1010 bands) give every position a logit, a softmax over the positions turns those into weights,
and each label is read from the weighted mean position p ∈ [−1, 1] (a soft argmax, finer than a position) plus a linear
term of the position-averaged features (for labels that are not shifts, such as an aspect ratio):

    z_k = scale_k · p_k + w_k · mean_positions(h) + b_k.

On the realistic circle routine's recorded sounds it reaches in 8 epochs a validation loss CRePE 'tiny' had not
reached after 18, at less than half CRePE's cost per step (docs/results.md, 2026-12-07). Kernels of 3 or 5 learnt
far slower; a stride of 1 learnt somewhat faster per epoch at 2.3 times the cost.
"""

from collections.abc import Sequence

import torch

from .._checks import checkNumber
from .crepe import CAPACITY_MULTIPLIERS, Depth, Optimiser, buildOptimiser, checkCRePESettings, regressionStep
from .spectrum_labels import N_BANDS, SpectrumLabels

__all__ = ['SpectrumLocator']

KERNEL_WIDTH = 9
DILATIONS = (1, 2, 4, 8, 16, 32)
CHANNELS_PER_MULTIPLIER = 4
"""Channels per capacity multiplier of `depth` (as CRePE's): tiny 16, small 32, medium 64, large 96, full 128."""
STRIDE = 2
"""The stem's stride: the blocks see 512 positions, two bands each (half the cost of 1024; docs/results.md)."""


class SpectrumLocator(SpectrumLabels):
    """A soft-argmax network on the log of a 1024-band power spectrum (module docstring), with named, standardised
    labels (`SpectrumLabels`: input scaling, `encode`, `decode`, `fitLabels`, `predict`).

    Layers: Conv1d(1 → C, 9, stride 2) → ReLU, then one residual block per dilation d (h + BatchNorm(ReLU(Conv1d(C → C,
    9, dilation d))), dropout after each), C = 4 × CRePE's capacity multiplier of `depth`. Heads: Conv1d(C → labels, 1)
    position logits, `scale` (labels,) and Linear(C → labels). Input (batch, 1024) band power, float32; output (batch,
    labels) standardised labels. Trained with MSELoss on the standardised labels, as SpectrumCRePE.
    """

    def __init__(
        self,
        depth: Depth,
        dropout: float,
        learning_rate: float,
        optimiser: Optimiser,
        labels: Sequence[str],
        log_labels: Sequence[str] = (),
        label_mean: Sequence[float] | None = None,
        label_spread: Sequence[float] | None = None,
        dynamic_range: float = 8.0,
    ) -> None:
        """depth: the width, 'tiny' (16 channels) … 'full' (128). dropout: the probability in [0, 1) after each
        block. learning_rate: > 0. optimiser: 'adam' or 'sgd'. labels, log_labels, label_mean, label_spread,
        dynamic_range: as SpectrumCRePE."""
        super().__init__()
        checkCRePESettings(depth, dropout, learning_rate, optimiser)
        names = self.checkLabels(labels, log_labels)
        dynamic_range = checkNumber('dynamic_range', dynamic_range, 'decades')
        self.depth: Depth = depth
        self.dropout = float(dropout)
        channels = CHANNELS_PER_MULTIPLIER * CAPACITY_MULTIPLIERS[depth]
        self.stem = torch.nn.Conv1d(1, channels, KERNEL_WIDTH, stride=STRIDE, padding=KERNEL_WIDTH // 2)
        self.convs = torch.nn.ModuleList(
            torch.nn.Conv1d(channels, channels, KERNEL_WIDTH, dilation=d, padding=d * (KERNEL_WIDTH // 2))
            for d in DILATIONS
        )
        self.norms = torch.nn.ModuleList(torch.nn.BatchNorm1d(channels) for _ in DILATIONS)
        self.logits = torch.nn.Conv1d(channels, len(names), 1)
        # larger drums sit lower on the band axis and have larger log-sizes: a negative slope to start from
        self.scale = torch.nn.Parameter(torch.full((len(names),), -3.0))
        self.pooled = torch.nn.Linear(channels, len(names))
        torch.nn.init.zeros_(self.pooled.weight)
        torch.nn.init.zeros_(self.pooled.bias)
        self.register_buffer('positions', torch.linspace(-1.0, 1.0, N_BANDS // STRIDE), persistent=False)
        self.criterion = torch.nn.MSELoss()
        self.optimiser = buildOptimiser(self, optimiser, learning_rate)
        self.model_kwargs = {
            'depth': depth, 'dropout': float(dropout), 'learning_rate': float(learning_rate), 'optimiser': optimiser,
        }  # fmt: skip
        self._setLabels(names, log_labels, label_mean, label_spread, dynamic_range)

    positions: torch.Tensor

    def _features(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.stem(self.logSpectrum(x).unsqueeze(1)))  # (batch, C, 512)
        for conv, norm in zip(self.convs, self.norms, strict=True):
            h = h + norm(torch.relu(conv(h)))
            h = torch.nn.functional.dropout(h, p=self.dropout, training=self.training)
        return h

    def _located(self, h: torch.Tensor) -> torch.Tensor:
        """Features (batch, C, 512) → standardised labels (batch, len(labels)): scale · soft-argmax position + a
        linear term of the position-averaged features."""
        weights = torch.softmax(self.logits(h), dim=2)  # (batch, labels, 512)
        position = (weights * self.positions).sum(dim=2)  # (batch, labels), in [−1, 1]
        return self.scale * position + self.pooled(h.mean(dim=2))  # type: ignore[no-any-return]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Band power (batch, 1024) → standardised labels (batch, len(labels))."""
        return self._located(self._features(x))

    def bandWeights(self, x: torch.Tensor) -> torch.Tensor:
        """Band power (batch, 1024) → the softmax weights (batch, labels, 512) each label is located from, one per
        pair of bands (float32, summing to 1; without gradients, in the model's current mode)."""
        with torch.no_grad():
            return torch.softmax(self.logits(self._features(x)), dim=2)

    def innerTrainingLoop(self, i: int, loop_length: int, x: torch.Tensor, y: torch.Tensor) -> None:
        """One optimiser step on the batch (x, y) with the criterion: standardised targets (batch, outputs), or
        (batch,) for one output; adds the batch's loss to `training_loss`."""
        regressionStep(self, len(self.labels), x, y)

    def extra_repr(self) -> str:
        return f'depth={self.depth!r}, dropout={self.dropout}, labels={self.labels}, log_labels={self.log_labels}'
