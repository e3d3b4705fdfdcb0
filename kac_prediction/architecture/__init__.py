"""Network architectures trained by the pipeline."""

from .crepe import CRePE, checkCRePESettings
from .outline_crepe import OutlineCRePE, OutlineLoss
from .pretrained import loadCrepeWeights, pretrainedCRePE
from .spectrum_crepe import SpectrumCRePE
from .spectrum_labels import SpectrumLabels
from .spectrum_locator import SpectrumLocator

__all__ = [
    'CRePE',
    'OutlineCRePE',
    'OutlineLoss',
    'SpectrumCRePE',
    'SpectrumLabels',
    'SpectrumLocator',
    'checkCRePESettings',
    'loadCrepeWeights',
    'pretrainedCRePE',
]
