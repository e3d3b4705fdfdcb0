"""ItemSampler: the AudioSampler item protocol for samplers that describe an item, then render items in batches."""

from abc import abstractmethod
from collections.abc import Sequence
from typing import Generic, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from .audio_sampler import AudioSampler, Labels

__all__ = ['ItemSampler']


class _Indexed(Protocol):
    @property
    def index(self) -> int: ...


ItemT = TypeVar('ItemT', bound=_Indexed)


class ItemSampler(AudioSampler, Generic[ItemT]):
    """An AudioSampler whose item i is fully described by `_describe(i)` (drawn from the seed and i alone) and whose
    items render in one batched call `_render(items)`. Subclasses set `self._item = None` in their constructor."""

    _item: ItemT | None

    @abstractmethod
    def _describe(self, i: int) -> ItemT:
        """Item i: its drum, strike and listening point."""

    @abstractmethod
    def _render(self, items: Sequence[ItemT]) -> npt.NDArray[np.float64]:
        """The waveforms of `items`, float64 (B, length), each peak-normalised to `amplitude`."""

    @abstractmethod
    def _labels(self, item: ItemT) -> Labels:
        """The labels of one item."""

    def updateProperties(self, i: int | None = None) -> None:
        """Prepare item i (default: the item after the prepared one, or item 0)."""
        self._item = self._describe((0 if self._item is None else self._item.index + 1) if i is None else i)

    def generateWaveform(self) -> None:
        """Render the prepared item into `waveform` (float64, peak = amplitude)."""
        if self._item is None:
            raise RuntimeError('call updateProperties(i) before generateWaveform().')
        self.waveform = self._render([self._item])[0]

    def getLabels(self) -> Labels:
        """The prepared item's labels ({} before updateProperties)."""
        return {} if self._item is None else self._labels(self._item)

    def generateBatch(self, indices: Sequence[int]) -> tuple[npt.NDArray[np.float64], list[Labels]]:
        """Render items `indices` in one batched call: (float64 (B, length), labels per item); the same audio as
        rendering them one at a time."""
        items = [self._describe(i) for i in indices]
        if not items:
            return np.zeros((0, self.length), dtype=np.float64), []
        return self._render(items), [self._labels(item) for item in items]
