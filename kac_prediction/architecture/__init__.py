"""Network architectures trained by the pipeline."""

from .crepe import CRePE, checkCRePESettings
from .outline_crepe import OutlineCRePE, OutlineLoss
from .pretrained import loadCrepeWeights, pretrainedCRePE
from .spectrum_crepe import SpectrumCRePE

__all__ = [
    'CRePE',
    'OutlineCRePE',
    'OutlineLoss',
    'SpectrumCRePE',
    'checkCRePESettings',
    'loadCrepeWeights',
    'pretrainedCRePE',
]
