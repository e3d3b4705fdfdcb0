"""What physics alone hears: geometry estimated from a dataset's audio by `physicsSizes`, scored like a model."""

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ..dataset.audio import readAudio
from ..dataset.torch_dataset import TorchDataset

__all__ = ['baselineRMSE', 'physicsBaseline', 'waveSpeed']

Method = Literal['circle', 'rectangle', 'weyl']


def waveSpeed(sampler_settings: Mapping[str, Any]) -> float:
    """c = sqrt(tension / material_density) in m/s from a dataset's sampler settings (defaults 2000 N/m, 0.2 kg/m²:
    the samplers' own defaults)."""
    tension = float(sampler_settings.get('tension', 2000.0))
    density = float(sampler_settings.get('material_density', 0.2))
    return math.sqrt(tension / density)


def physicsBaseline(
    dataset: TorchDataset, indices: Sequence[int], method: Method
) -> dict[str, npt.NDArray[np.float64]]:
    """The physics-only estimates of items `indices` of `dataset` from their WAVs: {'drum_size': (N,) m} (plus
    'aspect_ratio' for 'rectangle'), NaN where no estimate was found. method: 'circle' (lowest resonance, Bessel
    zero), 'rectangle' (two lowest resonances) or 'weyl' (area from the resonance count). The material (wave speed)
    is taken as known, from the dataset's sampler settings. Raises ValueError for a legacy (kac_drumset) dataset,
    whose physics conventions differ."""
    if dataset.legacy:
        raise ValueError("physics baselines need a dataset in this project's format and physics; this one is legacy.")
    from ..physics.baselines import physicsSizes

    waveforms = readAudio(dataset, indices)
    return physicsSizes(
        waveforms, int(dataset.sampler_settings['sample_rate']), method, waveSpeed(dataset.sampler_settings)
    )


def baselineRMSE(estimate: npt.ArrayLike, truth: npt.ArrayLike) -> dict[str, float]:
    """{'rmse': over the items with an estimate, 'median_error': the median absolute error, 'failures': the count of
    items without one (NaN)}; estimate and truth (N,) in the same units."""
    e, t = np.asarray(estimate, dtype=np.float64).ravel(), np.asarray(truth, dtype=np.float64).ravel()
    found = np.isfinite(e)
    error = e[found] - t[found]
    return {
        'rmse': float(np.sqrt(np.mean(error**2))) if error.size else math.nan,
        'median_error': float(np.median(np.abs(error))) if error.size else math.nan,
        'failures': float(np.count_nonzero(~found)),
    }
