"""What every outline network shares: its outputs (a size, then the logits of an occupancy mask) and their loss."""

import torch

from .._checks import checkCount, checkNumber
from .spectrum_labels import SpectrumLabels

__all__ = ['OUTLINE_SIZE_LABELS', 'OutlineLoss', 'OutlineOutputs']

OUTLINE_SIZE_LABELS = ('drum_size', 'transit_time')
"""The size outputs an outline network may have: drum_size (m) or transit_time (s, drum_size / wave_speed)."""


class OutlineLoss(torch.nn.Module):
    """The loss of an outline network: the squared error of the standardised size (column 0) plus `mask_weight`
    times the binary cross-entropy of the mask logits (columns 1:) against the occupancy targets (0 or 1, or
    fractions), plus `iou_weight` times one minus the soft IoU of the mask probabilities p and the targets t
    (Σpt / Σ(p + t − pt), per item). With `mirror_invariant`, each item's mask loss is the least over its target mask
    and the target flipped along x, along y and along both (a half turn): the sign choices a principal-axes frame
    leaves open."""

    def __init__(self, mask_weight: float = 1.0, mirror_invariant: bool = False, iou_weight: float = 0.0) -> None:
        super().__init__()
        self.mask_weight = float(mask_weight)
        self.mirror_invariant = bool(mirror_invariant)
        self.iou_weight = float(iou_weight)

    def _perItem(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Mask logits and targets (batch, G, G) → each item's mask loss (batch,)."""
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, target, reduction='none').mean(dim=(1, 2))
        if self.iou_weight:
            p = torch.sigmoid(logits)
            overlap = (p * target).sum(dim=(1, 2))
            union = (p + target - p * target).sum(dim=(1, 2)).clamp_min(1e-6)
            loss = loss + self.iou_weight * (1.0 - overlap / union)
        return loss

    def parts(self, y_hat: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """y_hat, y: (batch, 1 + G²) → (the size's squared error, the mask's loss), scalars."""
        size = torch.nn.functional.mse_loss(y_hat[:, 0], y[:, 0])
        B, G = y.shape[0], round((y.shape[1] - 1) ** 0.5)
        logits, target = y_hat[:, 1:].reshape(B, G, G), y[:, 1:].reshape(B, G, G)
        if not self.mirror_invariant:
            return size, self._perItem(logits, target).mean()
        losses = [self._perItem(logits, t) for t in (target, target.flip(1), target.flip(2), target.flip(1, 2))]
        return size, torch.stack(losses).min(dim=0).values.mean()

    def combine(self, size: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The loss from its `parts`: size + mask_weight · mask."""
        return size + self.mask_weight * mask

    def forward(self, y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """y_hat, y: (batch, 1 + G²) → a scalar."""
        return self.combine(*self.parts(y_hat, y))


class OutlineOutputs(SpectrumLabels):
    """The first base of an outline network, a SpectrumLabels with one label, its size (OutlineCRePE,
    OutlineLocator). Outputs (batch, 1 + grid_size²): the standardised size, then the logits of a grid_size ×
    grid_size occupancy mask of the shape in its canonical pose (`mask[x_index, y_index]`, flattened row-major).
    `encodeTargets` builds training targets, `decodeOutputs` and `predict` turn outputs into the size's unit and mask
    probabilities; `criterion` is an OutlineLoss."""

    grid_size: int
    size_label: str
    criterion: OutlineLoss

    @staticmethod
    def checkOutline(
        grid_size: int, mask_weight: float, size_label: str, iou_weight: float = 0.0
    ) -> tuple[int, float, float]:
        """grid_size (≥ 4), mask_weight (> 0) and iou_weight (≥ 0), checked; ValueError naming the choices for
        another size_label."""
        grid_size = checkCount('grid_size', grid_size, 4, 'cells per side of the mask')
        mask_weight = checkNumber('mask_weight', mask_weight)
        iou_weight = checkNumber('iou_weight', iou_weight, minimum=0.0, inclusive=True)
        if size_label not in OUTLINE_SIZE_LABELS:
            raise ValueError(f'size_label must be one of {", ".join(OUTLINE_SIZE_LABELS)}, got {size_label!r}.')
        return grid_size, mask_weight, iou_weight

    def _setOutline(
        self, grid_size: int, mask_weight: float, size_label: str, mirror_invariant: bool, iou_weight: float = 0.0
    ) -> None:
        """Record the outline settings (checked by `checkOutline`) on the network and in its model_kwargs; size_label,
        mirror_invariant and iou_weight only when not the defaults, so that older checkpoints load unchanged."""
        self.grid_size = grid_size
        self.size_label = size_label
        self.criterion = OutlineLoss(mask_weight, mirror_invariant, iou_weight)
        for key in ('labels', 'log_labels', 'extra_outputs'):
            self.model_kwargs.pop(key, None)
        self.model_kwargs.update(grid_size=grid_size, mask_weight=float(mask_weight))
        if size_label != 'drum_size':
            self.model_kwargs['size_label'] = size_label
        if mirror_invariant:
            self.model_kwargs['mirror_invariant'] = True
        if iou_weight:
            self.model_kwargs['iou_weight'] = float(iou_weight)

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
