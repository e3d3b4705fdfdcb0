"""Network architectures trained by the pipeline."""

from .crepe import CRePE
from .pretrained import loadCrepeWeights, pretrainedCRePE
from .spectrum_crepe import SpectrumCRePE

__all__ = ['CRePE', 'SpectrumCRePE', 'loadCrepeWeights', 'pretrainedCRePE']
