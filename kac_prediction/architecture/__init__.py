"""Network architectures trained by the pipeline."""

from .crepe import CRePE

__all__ = ['CRePE']
