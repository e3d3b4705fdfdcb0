"""Distributed data-parallel helpers: initialisation under torchrun, rank-0 gating, reductions, broadcasts.

Without torchrun (no WORLD_SIZE > 1 in the environment) every function behaves as for one process.
"""

import os
from collections.abc import Mapping
from typing import TypeVar

import torch
import torch.distributed as dist

__all__ = [
    'allRanksAgree',
    'barrier',
    'broadcastObject',
    'initDistributed',
    'isDistributed',
    'isMain',
    'meanAcrossRanks',
    'rank',
    'worldSize',
]

T = TypeVar('T')


def initDistributed(device: torch.device) -> None:
    """Join the process group torchrun describes (gloo on CPU, nccl on CUDA), once."""
    if int(os.environ.get('WORLD_SIZE', '1')) > 1 and not dist.is_initialized():
        dist.init_process_group(backend='nccl' if device.type == 'cuda' else 'gloo')


def isDistributed() -> bool:
    """True inside an initialised process group of more than one process."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def rank() -> int:
    """This process's rank (0 without a process group)."""
    return dist.get_rank() if isDistributed() else 0


def worldSize() -> int:
    """The number of processes (1 without a process group)."""
    return dist.get_world_size() if isDistributed() else 1


def isMain() -> bool:
    """True on rank 0: the process that logs and writes."""
    return rank() == 0


def barrier() -> None:
    """Wait for every rank."""
    if isDistributed():
        dist.barrier()


def broadcastObject(value: T) -> T:
    """Rank 0's `value` on every rank."""
    if not isDistributed():
        return value
    box = [value]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def meanAcrossRanks(values: Mapping[str, float]) -> dict[str, float]:
    """The mean of each entry over the ranks (every rank must hold the same keys)."""
    if not isDistributed():
        return dict(values)
    keys = sorted(values)
    tensor = torch.tensor([float(values[k]) for k in keys], dtype=torch.float64)
    dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return {k: float(v) / dist.get_world_size() for k, v in zip(keys, tensor.tolist(), strict=True)}


def allRanksAgree(flag: bool) -> bool:
    """True only if `flag` is True on every rank."""
    if not isDistributed():
        return flag
    tensor = torch.tensor([1 if flag else 0], dtype=torch.int64)
    dist.all_reduce(tensor, op=dist.ReduceOp.MIN)
    return bool(tensor.item())
