"""Samplers: objects that render one dataset item at a time (or a batch) and report its labels."""

from .audio_sampler import AudioSampler, Labels, SamplerInfo, SamplerSettings, classLocalsToKwargs, itemRNG
from .bessel_model import BesselModel
from .eigenmode_model import EigenmodeModel
from .fdtd_model import FDTDModel
from .lame_model import LameModel, LaméModel
from .modal_sampler import ModalSampler
from .official_datasets import Datasets
from .poisson_model import PoissonModel
from .test_sweep import TestSweep
from .test_tone import TestTone

__all__ = [
    'AudioSampler',
    'BesselModel',
    'Datasets',
    'EigenmodeModel',
    'FDTDModel',
    'Labels',
    'LameModel',
    'LaméModel',
    'ModalSampler',
    'PoissonModel',
    'SamplerInfo',
    'SamplerSettings',
    'TestSweep',
    'TestTone',
    'classLocalsToKwargs',
    'itemRNG',
]
