"""SpectrumLabels: what every network on a drum's log-frequency spectrum shares: its input scaling and its labels."""

from collections.abc import Sequence

import torch

from ..pipeline.model import Model

__all__ = ['SpectrumLabels']

N_BANDS = 1024
"""The bands of the spectrum the networks read (`output_type: 'spectrum'`, `n_bins: 1024`)."""


class SpectrumLabels(Model):
    """A Model that reads band power (batch, 1024) and outputs named, standardised labels (SpectrumCRePE,
    SpectrumLocator).

    The input is the band power P (batch, 1024), float32, ≥ 0, of any scale: the network reads
    log10(P / max P + 10^−dynamic_range) (`logSpectrum`), i.e. decibels/10 relative to the item's strongest band,
    floored `dynamic_range` decades below it. The labels are standardised: z = (t − label_mean) / label_spread with
    t = ln(y) for the labels in `log_labels` (sizes: equal relative errors weigh equally) and t = y for the others.
    `decode` maps z back to physical units, `predict` does both steps. All of this is in `model_kwargs`, so a
    checkpoint alone turns a spectrum into labels (`loadModel(cls, path)`).
    """

    label_mean: torch.Tensor
    label_spread: torch.Tensor
    _is_log: torch.Tensor
    labels: list[str]
    log_labels: list[str]
    dynamic_range: float

    @staticmethod
    def checkLabels(labels: Sequence[str], log_labels: Sequence[str]) -> list[str]:
        """labels as a list; ValueError unless they are distinct non-empty names, at least one, holding log_labels."""
        names = list(labels)
        if not names or not all(isinstance(name, str) and name for name in names) or len(set(names)) != len(names):
            raise ValueError(f'labels must be distinct non-empty names, at least one, got {labels!r}')
        unknown = [name for name in log_labels if name not in names]
        if unknown:
            raise ValueError(f'log_labels {unknown} are not among the labels {names}')
        return names

    def _setLabels(
        self,
        names: list[str],
        log_labels: Sequence[str],
        label_mean: Sequence[float] | None,
        label_spread: Sequence[float] | None,
        dynamic_range: float,
    ) -> None:
        """Register the label statistics as buffers and record them in model_kwargs (called by subclasses'
        __init__ after the layers are built). names: `checkLabels`' result; dynamic_range: already checked (> 0);
        the others as the subclasses' arguments."""
        mean = [0.0] * len(names) if label_mean is None else [float(m) for m in label_mean]
        spread = [1.0] * len(names) if label_spread is None else [float(s) for s in label_spread]
        if len(mean) != len(names) or len(spread) != len(names) or not all(s > 0 for s in spread):
            raise ValueError(
                f'label_mean and label_spread need one value per label ({len(names)}), spreads > 0; got '
                f'{label_mean!r} and {label_spread!r}'
            )
        self.labels = names
        self.log_labels = [name for name in names if name in log_labels]
        self.dynamic_range = float(dynamic_range)
        self.register_buffer('label_mean', torch.tensor(mean, dtype=torch.float64))
        self.register_buffer('label_spread', torch.tensor(spread, dtype=torch.float64))
        self.register_buffer('_is_log', torch.tensor([name in self.log_labels for name in names]))
        self.model_kwargs.update(
            labels=names, log_labels=self.log_labels, label_mean=mean, label_spread=spread,
            dynamic_range=self.dynamic_range,
        )  # fmt: skip

    def logSpectrum(self, x: torch.Tensor) -> torch.Tensor:
        """Band power (batch, 1024) → the network's input (batch, 1024), float32 (class docstring)."""
        if x.ndim != 2 or x.shape[1] != N_BANDS:
            raise ValueError(
                f'{type(self).__name__} expects band power of shape (batch, {N_BANDS}), got {tuple(x.shape)}'
            )
        x = x.float().clamp_min(0.0)
        peak = x.amax(dim=1, keepdim=True)
        x = x / torch.where(peak > 0, peak, torch.ones_like(peak))
        return torch.log10(x + 10.0**-self.dynamic_range)

    def _transformed(self, y: torch.Tensor) -> torch.Tensor:
        y = y.to(torch.float64)
        if bool(((y <= 0) & self._is_log).any()):
            raise ValueError(f'the labels {self.log_labels} are standardised in log space and must be > 0')
        return torch.where(self._is_log, y.clamp_min(1e-300).log(), y)

    def fitLabels(self, y: torch.Tensor) -> None:
        """Set label_mean and label_spread from physical labels y (N, len(labels)) of the training split."""
        t = self._transformed(y)
        mean, spread = t.mean(dim=0), t.std(dim=0).nan_to_num(1.0).clamp_min(1e-8)
        self.label_mean.copy_(mean)
        self.label_spread.copy_(spread)
        self.model_kwargs.update(label_mean=mean.tolist(), label_spread=spread.tolist())

    def encode(self, y: torch.Tensor) -> torch.Tensor:
        """Physical labels (N, len(labels)) → standardised targets (N, len(labels)), float32."""
        return ((self._transformed(y.to(self.label_mean.device)) - self.label_mean) / self.label_spread).float()

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Standardised outputs (N, len(labels)) → physical labels (N, len(labels)), float64. Further columns (the
        extra outputs) are ignored."""
        t = z[:, : len(self.labels)].to(self.label_mean) * self.label_spread + self.label_mean
        return torch.where(self._is_log, t.exp(), t)

    def predict(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Band power (batch, 1024) → {label: (batch,) float64 in physical units}, without gradients."""
        with torch.no_grad():
            y = self.decode(self(x))
        return {name: y[:, k] for k, name in enumerate(self.labels)}
