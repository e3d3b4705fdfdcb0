"""SpectrumCRePE: CRePE reading a drum's log-frequency power spectrum and predicting its labels in physical units."""

from collections.abc import Sequence

import torch

from .._checks import checkCount, checkNumber
from .crepe import CRePE, Depth, Optimiser

__all__ = ['SpectrumCRePE']


class SpectrumCRePE(CRePE):
    """CRePE on the log of a 1024-band power spectrum (`output_type: 'spectrum'`), with named, standardised labels.

    The input is the band power P (batch, 1024), float32, ≥ 0, of any scale: the network reads
    log10(P / max P + 10^−dynamic_range), i.e. decibels/10 relative to the item's strongest band, floored
    `dynamic_range` decades below it. It outputs the labels standardised: z = (t − label_mean) / label_spread with
    t = ln(y) for the labels in `log_labels` (sizes: equal relative errors weigh equally) and t = y for the others.
    `decode` maps z back to physical units, `predict` does both steps. All of this is in `model_kwargs`, so a
    checkpoint alone turns a spectrum into labels (`loadModel(SpectrumCRePE, path)`).
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
        *,
        extra_outputs: int = 0,
    ) -> None:
        """depth, dropout, learning_rate, optimiser: as CRePE. labels: the names of the outputs, in order.
        log_labels: those standardised in log space (must be > 0). label_mean, label_spread: per label, in the
        standardised space (default 0 and 1; `fitLabels` sets them). dynamic_range: decades of power below each
        item's peak that the input keeps (> 0). extra_outputs: raw outputs after the labels' (for subclasses'
        heads, e.g. OutlineCRePE's mask; ≥ 0); `decode` and `predict` read only the labels' columns."""
        names = list(labels)
        if not names or not all(isinstance(name, str) and name for name in names) or len(set(names)) != len(names):
            raise ValueError(f'labels must be distinct non-empty names, at least one, got {labels!r}')
        unknown = [name for name in log_labels if name not in names]
        if unknown:
            raise ValueError(f'log_labels {unknown} are not among the labels {names}')
        dynamic_range = checkNumber('dynamic_range', dynamic_range, 'decades')
        extra_outputs = checkCount('extra_outputs', extra_outputs, 0)
        super().__init__(depth, dropout, learning_rate, optimiser, len(names) + extra_outputs)
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
        self.model_kwargs.pop('outputs')
        self.model_kwargs.update(
            labels=names, log_labels=self.log_labels, label_mean=mean, label_spread=spread,
            dynamic_range=self.dynamic_range,
        )  # fmt: skip
        if extra_outputs:
            self.model_kwargs['extra_outputs'] = extra_outputs

    label_mean: torch.Tensor
    label_spread: torch.Tensor
    _is_log: torch.Tensor

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Band power (batch, 1024) → standardised labels (batch, len(labels)), then any extra outputs."""
        if x.ndim != 2 or x.shape[1] != 1024:
            raise ValueError(f'SpectrumCRePE expects band power of shape (batch, 1024), got {tuple(x.shape)}')
        x = x.float().clamp_min(0.0)
        peak = x.amax(dim=1, keepdim=True)
        x = x / torch.where(peak > 0, peak, torch.ones_like(peak))
        return super().forward(torch.log10(x + 10.0**-self.dynamic_range))

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

    def extra_repr(self) -> str:
        return f'{super().extra_repr()}, labels={self.labels}, log_labels={self.log_labels}'
