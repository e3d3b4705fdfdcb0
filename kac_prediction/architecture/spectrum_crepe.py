"""SpectrumCRePE: CRePE reading a drum's log-frequency power spectrum and predicting its labels in physical units."""

from collections.abc import Sequence

import torch

from .._checks import checkCount, checkNumber
from .crepe import CRePE, Depth, Optimiser
from .spectrum_labels import SpectrumLabels

__all__ = ['SpectrumCRePE']


class SpectrumCRePE(SpectrumLabels, CRePE):
    """CRePE on the log of a 1024-band power spectrum (`output_type: 'spectrum'`), with named, standardised labels.

    Input scaling, label standardisation, `encode`, `decode`, `fitLabels` and `predict`: `SpectrumLabels`. Output:
    the standardised labels (batch, len(labels)), then any extra outputs.
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
        names = self.checkLabels(labels, log_labels)
        dynamic_range = checkNumber('dynamic_range', dynamic_range, 'decades')
        extra_outputs = checkCount('extra_outputs', extra_outputs, 0)
        super().__init__(depth, dropout, learning_rate, optimiser, len(names) + extra_outputs)
        self.model_kwargs.pop('outputs')
        self._setLabels(names, log_labels, label_mean, label_spread, dynamic_range)
        if extra_outputs:
            self.model_kwargs['extra_outputs'] = extra_outputs

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Band power (batch, 1024) → standardised labels (batch, len(labels)), then any extra outputs."""
        return CRePE.forward(self, self.logSpectrum(x))

    def extra_repr(self) -> str:
        return f'{super().extra_repr()}, labels={self.labels}, log_labels={self.log_labels}'
