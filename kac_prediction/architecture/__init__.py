"""Network architectures trained by the pipeline."""

from .crepe import CRePE, checkCRePESettings
from .outline_crepe import OutlineCRePE
from .outline_locator import OutlineLocator
from .outline_outputs import OutlineLoss, OutlineOutputs
from .pretrained import loadCrepeWeights, pretrainedCRePE
from .spectrum_crepe import SpectrumCRePE
from .spectrum_labels import SpectrumLabels
from .spectrum_locator import SpectrumLocator

__all__ = [
    'CRePE',
    'OutlineCRePE',
    'OutlineLocator',
    'OutlineLoss',
    'OutlineOutputs',
    'SpectrumCRePE',
    'SpectrumLabels',
    'SpectrumLocator',
    'checkCRePESettings',
    'loadCrepeWeights',
    'pretrainedCRePE',
]
