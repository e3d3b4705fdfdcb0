"""OutlineCRePE: hear a drum's outline (an occupancy mask in the canonical pose) and its size from its spectrum."""

from collections.abc import Sequence

import torch

from .._checks import checkCount, checkNumber
from .crepe import Depth, Optimiser
from .spectrum_crepe import SpectrumCRePE

__all__ = ['OutlineCRePE', 'OutlineLoss']

_SIZE_LABELS = ('drum_size', 'transit_time')  # the size outputs OutlineCRePE may have (m; s)


class OutlineLoss(torch.nn.Module):
    """The loss of OutlineCRePE: the squared error of the standardised size (column 0) plus `mask_weight` times the
    binary cross-entropy of the mask logits (columns 1:) against the occupancy targets (0 or 1, or fractions). With
    `mirror_invariant`, each item's cross-entropy is the least over its target mask and the target flipped along x,
    along y and along both (a half turn): the sign choices a principal-axes frame leaves open."""

    def __init__(self, mask_weight: float = 1.0, mirror_invariant: bool = False) -> None:
        super().__init__()
        self.mask_weight = float(mask_weight)
        self.mirror_invariant = bool(mirror_invariant)

    def parts(self, y_hat: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """y_hat, y: (batch, 1 + G²) → (the size's squared error, the mask's cross-entropy), scalars."""
        size = torch.nn.functional.mse_loss(y_hat[:, 0], y[:, 0])
        if not self.mirror_invariant:
            return size, torch.nn.functional.binary_cross_entropy_with_logits(y_hat[:, 1:], y[:, 1:])
        B, G = y.shape[0], round((y.shape[1] - 1) ** 0.5)
        logits, target = y_hat[:, 1:].reshape(B, G, G), y[:, 1:].reshape(B, G, G)
        losses = [
            torch.nn.functional.binary_cross_entropy_with_logits(logits, t, reduction='none').mean(dim=(1, 2))
            for t in (target, target.flip(1), target.flip(2), target.flip(1, 2))
        ]
        return size, torch.stack(losses).min(dim=0).values.mean()

    def combine(self, size: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The loss from its `parts`: size + mask_weight · mask."""
        return size + self.mask_weight * mask

    def forward(self, y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """y_hat, y: (batch, 1 + G²) → a scalar."""
        return self.combine(*self.parts(y_hat, y))


class OutlineCRePE(SpectrumCRePE):
    """SpectrumCRePE predicting a size (`size_label`: `drum_size` in m, or the realistic routine's `transit_time` in
    s; standardised in ln space, as SpectrumCRePE) and the drum's outline: the
    logits of a grid_size × grid_size occupancy mask of the shape in its canonical pose, drawn as `Shape.draw` draws
    it (the larger side of the bounding box spans the grid; `mask[x_index, y_index]`).

    Input: band power (batch, 1024), float32 (`output_type: 'spectrum'`). Output: (batch, 1 + grid_size²): the
    standardised size, then the mask logits flattened row-major. `encodeTargets` builds training targets,
    `decodeOutputs` and `predict` turn outputs into metres and mask probabilities. Trained with `OutlineLoss`.
    """

    criterion: OutlineLoss

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
    ) -> None:
        """depth, dropout, learning_rate, optimiser, dynamic_range: as SpectrumCRePE. grid_size: the mask's side in
        cells (≥ 4). label_mean, label_spread: of ln(size) (`fitLabels` sets them). mask_weight: the weight of
        the mask's cross-entropy against the size's squared error (> 0). size_label: the name of the size output,
        'drum_size' (m) or 'transit_time' (s, drum_size / wave_speed). mirror_invariant: train with OutlineLoss's
        least cross-entropy over the target's four flips (masks in a principal-axes frame)."""
        grid_size = checkCount('grid_size', grid_size, 4, 'cells per side of the mask')
        mask_weight = checkNumber('mask_weight', mask_weight)
        if size_label not in _SIZE_LABELS:
            raise ValueError(f'size_label must be one of {", ".join(_SIZE_LABELS)}, got {size_label!r}.')
        super().__init__(
            depth, dropout, learning_rate, optimiser, labels=[size_label], log_labels=[size_label],
            label_mean=label_mean, label_spread=label_spread, dynamic_range=dynamic_range,
            extra_outputs=grid_size**2,
        )  # fmt: skip
        self.grid_size = grid_size
        self.criterion = OutlineLoss(mask_weight, mirror_invariant)
        self.model_kwargs = {
            'depth': depth, 'dropout': float(dropout), 'learning_rate': float(learning_rate), 'optimiser': optimiser,
            'grid_size': grid_size, 'label_mean': self.model_kwargs['label_mean'],
            'label_spread': self.model_kwargs['label_spread'], 'dynamic_range': self.dynamic_range,
            'mask_weight': float(mask_weight),
        }  # fmt: skip
        if size_label != 'drum_size':  # recorded only when not the default: older checkpoints load unchanged
            self.model_kwargs['size_label'] = size_label
        if mirror_invariant:
            self.model_kwargs['mirror_invariant'] = True
        self.size_label = size_label

    def encodeTargets(self, sizes: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
        """sizes (N,) in the size label's unit (m or s) and masks (N, G, G) (bool or occupancy in [0, 1]) → targets
        (N, 1 + G²), float32."""
        G = self.grid_size
        if sizes.ndim != 1 or masks.shape != (sizes.shape[0], G, G):
            raise ValueError(f'sizes must be (N,) and masks (N, {G}, {G}); got {tuple(sizes.shape)} and '
                             f'{tuple(masks.shape)}')  # fmt: skip
        z = self.encode(sizes.unsqueeze(1)).cpu()
        return torch.cat([z, masks.reshape(sizes.shape[0], G * G).float()], dim=1)

    def decodeOutputs(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Outputs (N, 1 + G²) → (the size label (N,), float64: drum_size in m or transit_time in s; mask
        probabilities (N, G, G), float32)."""
        G = self.grid_size
        sizes = self.decode(z[:, :1])[:, 0]
        return sizes, torch.sigmoid(z[:, 1:].float()).reshape(z.shape[0], G, G)

    def predict(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Band power (batch, 1024) → {size_label: (batch,) float64 (drum_size in m or transit_time in s); 'mask':
        (batch, G, G) probabilities}."""
        with torch.no_grad():
            sizes, masks = self.decodeOutputs(self(x))
        return {self.size_label: sizes, 'mask': masks}

    def extra_repr(self) -> str:
        return f'{super().extra_repr()}, grid_size={self.grid_size}'
