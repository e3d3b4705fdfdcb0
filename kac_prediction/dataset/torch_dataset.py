"""TorchDataset: a dataset's inputs X, labels Y and drum ids, with the metadata of how it was made."""

import os
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch.utils.data import Dataset

from ..samplers import SamplerInfo

__all__ = ['TorchDataset', 'labelsToTensors']


def labelsToTensors(labels: Mapping[str, Sequence[Any]]) -> dict[str, torch.Tensor]:
    """One item's labels as tensors: int64 for lists of ints (`N`, `drum_id`), float32 otherwise."""
    out = {}
    for key, value in labels.items():
        tensor = torch.as_tensor(value)
        out[key] = tensor if tensor.dtype == torch.int64 else tensor.to(torch.float32)
    return out


class TorchDataset(Dataset[tuple[torch.Tensor, dict[str, torch.Tensor]]]):
    """X: float32 (dataset_size, *x_size) (memory-mapped from the cache when loaded); Y: per item a dict of label
    tensors; groups: int64 (dataset_size,), the drum id of each item (splits keep a drum's strikes together).

    Attributes kept from the original: `dataset_dir`, `dataset_size`, `representation_settings`, `sampler`
    ({name, version}), `sampler_settings`; plus `labels` (the raw label dicts) and `legacy` (True for datasets in the
    original kac_drumset layout, whose physics conventions differ from this project's).
    """

    def __init__(
        self,
        dataset_dir: str | os.PathLike[str],
        dataset_size: int,
        representation_settings: Mapping[str, Any],
        sampler: SamplerInfo,
        sampler_settings: Mapping[str, Any],
        X: torch.Tensor,
        labels: Sequence[Mapping[str, Any]],
        groups: Sequence[int] | torch.Tensor,
        legacy: bool = False,
    ) -> None:
        if X.shape[0] != dataset_size or len(labels) != dataset_size or len(groups) != dataset_size:
            raise ValueError(
                f'X ({X.shape[0]}), labels ({len(labels)}) and groups ({len(groups)}) must each have '
                f'dataset_size = {dataset_size} items.'
            )
        self.dataset_dir = os.fspath(dataset_dir)
        self.dataset_size = dataset_size
        self.representation_settings = dict(representation_settings)
        self.sampler = sampler
        self.sampler_settings = dict(sampler_settings)
        self.X = X
        self.labels = [dict(y) for y in labels]
        self.Y = [labelsToTensors(y) for y in self.labels]
        self.groups = torch.as_tensor(groups, dtype=torch.int64)
        self.legacy = legacy

    def __getitem__(self, i: int) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """(X[i], Y[i])."""
        return self.X[i], self.Y[i]

    def __len__(self) -> int:
        """dataset_size."""
        return self.dataset_size

    def __repr__(self) -> str:
        kind = ', legacy' if self.legacy else ''
        return (
            f'TorchDataset({self.dataset_dir!r}, {self.dataset_size} items of {self.sampler["name"]}, '
            f'X {tuple(self.X.shape)} {self.representation_settings.get("output_type")}{kind})'
        )
