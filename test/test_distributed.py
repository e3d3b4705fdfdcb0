"""Distributed data-parallel training on CPU: 2 processes with gloo, against a single process."""

import json
import os
import socket
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from test_routine import REPRESENTATION, SAMPLER, TinyNet, defaults, lossLoop

from kac_prediction.dataset import generateDataset
from kac_prediction.pipeline import Routine
from kac_prediction.samplers import TestTone


class CheckedNet(TinyNet):
    """TinyNet that checks, after every optimiser step, that every rank holds the same parameters."""

    def innerTrainingLoop(self, i: int, loop_length: int, x: torch.Tensor, y: torch.Tensor) -> None:
        super().innerTrainingLoop(i, loop_length, x, y)
        if dist.is_initialized():
            mine = torch.cat([p.detach().flatten() for p in self.parameters()])
            every = [torch.empty_like(mine) for _ in range(dist.get_world_size())]
            dist.all_gather(every, mine)
            self.steps = getattr(self, 'steps', 0) + 1
            self.mismatches = getattr(self, 'mismatches', 0) + int(not all(torch.equal(every[0], t) for t in every))


def _run(tmp: Path, P: dict[str, Any]) -> dict[str, Any]:
    routine = Routine(exports_dir=os.fspath(tmp / 'model'))
    routine.setParameters(P)
    routine.importDataset(os.fspath(tmp / 'data'), LocalSampler=TestTone, representation_settings=REPRESENTATION,
                          sampler_settings=SAMPLER)  # type: ignore[arg-type]  # fmt: skip
    routine.setModel(CheckedNet(inputs=65 * 5, learning_rate=routine.P['learning_rate']))
    metrics = routine.train(lossLoop(routine))
    return {
        'validation_loss': metrics['validation_loss'],
        'steps': getattr(routine.M, 'steps', 0),
        'mismatches': getattr(routine.M, 'mismatches', 0),
        'exports_dir': routine.R['exports_dir'],
    }


def _worker(rank: int, tmp: Path, port: int, P: dict[str, Any]) -> None:
    rank_env = {'RANK': str(rank), 'LOCAL_RANK': str(rank)}
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port), WORLD_SIZE='2', **rank_env)
    result = _run(tmp, P)
    (tmp / f'rank{rank}.json').write_text(json.dumps(result))
    dist.destroy_process_group()


def _freePort() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return int(s.getsockname()[1])


def test_two_cpu_processes_train_like_one(tmp_path: Path) -> None:
    generateDataset(TestTone, tmp_path / 'data', 80, REPRESENTATION, SAMPLER, seed=0, progressbar=False)  # type: ignore[arg-type]
    # 80 tones = 80 drums of one strike: 48 for training, 3 batches of 2 × 8 per epoch on two ranks
    P = defaults(dataset_size=80, batch_size=8, num_of_epochs=4)
    mp.spawn(_worker, args=(tmp_path, _freePort(), P), nprocs=2, join=True)
    ranks = [json.loads((tmp_path / f'rank{r}.json').read_text()) for r in (0, 1)]
    assert ranks[0]['steps'] == ranks[1]['steps'] == 4 * 3
    assert ranks[0]['mismatches'] == ranks[1]['mismatches'] == 0
    assert ranks[0]['exports_dir'] == ranks[1]['exports_dir']
    written = sorted(p.name for p in Path(ranks[0]['exports_dir']).iterdir())
    assert written == ['best.pt', 'last.pt', 'learning_curves.png']
    single = _run(tmp_path, {**P, 'batch_size': 16})  # the same global batch in one process
    assert abs(ranks[0]['validation_loss'] - single['validation_loss']) <= 0.01 * single['validation_loss']
    assert ranks[0]['validation_loss'] == ranks[1]['validation_loss']
