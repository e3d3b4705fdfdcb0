"""Routine: one training run, top to bottom (docs/architecture.md, "Training").

    routine = Routine(exports_dir='model', wandb_config={})
    routine.setParameters(CRePE.ModelHyperParameters({...}), config_path='config.yaml')
    routine.importDataset(dataset_dir='data', LocalSampler=BesselModel, representation_settings={...})
    routine.setModel(CRePE(depth='tiny', dropout=0.25, learning_rate=1e-3, optimiser='adam', outputs=1))
    metrics = routine.train(innerTestingLoop)

The policies live in their own modules: parameters (merge and validation), splits (by drum), checkpoints, early
stopping, distributed (torchrun) and tracking (wandb and plots).
"""

import math
import os
import random
import secrets
import string
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Subset, default_collate
from torch.utils.data.distributed import DistributedSampler
from tqdm import tqdm

from ..acoustics import RecordingSettings, RoomBank
from ..dataset import TorchDataset, generateDataset, installDataset, loadDataset
from ..dataset.augmented import EpochSampler, RecordedDataset
from ..dataset.input_representation import RepresentationSettings
from ..dataset.load import readHeader
from ..samplers import AudioSampler
from .checkpoints import epochName, loadCheckpoint, saveCheckpoint
from .distributed import (
    allRanksAgree,
    barrier,
    broadcastObject,
    initDistributed,
    isDistributed,
    isMain,
    meanAcrossRanks,
)
from .early_stopping import EarlyStopping
from .model import Model
from .parameters import checkDevice, loadYAML, mergeParameters
from .splits import Splits, splitByDrum
from .tracking import Tracker
from .types import Datasets, ExportedModel, Parameters, RunInfo

__all__ = ['Routine', 'chooseDevice', 'trainingThreads']

InnerTestingLoop = Callable[[int, int, torch.Tensor, torch.Tensor], None]


def chooseDevice(device: str = '') -> torch.device:
    """`device` if given, else CUDA, else Apple MPS, else the CPU (under torchrun: this rank's CUDA device)."""
    if device:
        return checkDevice(device)
    if torch.cuda.is_available():
        return torch.device('cuda', int(os.environ.get('LOCAL_RANK', '0')))
    if torch.backends.mps.is_available():
        return torch.device('mps')
    return torch.device('cpu')


def _version() -> str:
    try:
        return importlib_metadata.version('kac_prediction')
    except importlib_metadata.PackageNotFoundError:
        from .. import __version__

        return __version__


def trainingThreads(num_workers: int, world: int = 1, threads: int | None = None) -> int:
    """Intra-op threads for a training process whose DataLoader workers record items (`Routine.setRecording`): the
    process's share of the cores, `threads // world` (threads: default `torch.get_num_threads()`), less one per worker,
    at least 1. Recording keeps each worker busy, so more threads than cores only contend: on 2 cores with 2 workers
    one training thread ran the realistic circle routine's epochs 1.3× faster than two."""
    available = torch.get_num_threads() if threads is None else int(threads)
    return max(1, available // max(1, int(world)) - int(num_workers))


def _collate(items: list[tuple[torch.Tensor, Any]]) -> tuple[torch.Tensor, Any]:
    """Batch items: X stacked; dict labels stacked per key, except ragged ones (such as `vertices`), kept as lists;
    labels reshaped by the user (a tensor per item) collated as torch does."""
    if not isinstance(items[0][1], dict):
        return default_collate(items)  # type: ignore[no-any-return]
    X = torch.stack([x for x, _ in items])
    Y: dict[str, Any] = {}
    for key in items[0][1]:
        values = [y[key] for _, y in items]
        Y[key] = torch.stack(values) if all(v.shape == values[0].shape for v in values) else values
    return X, Y


def _toDevice(y: Any, device: torch.device) -> Any:
    if isinstance(y, torch.Tensor):
        return y.to(device)
    if isinstance(y, dict):
        return {k: _toDevice(v, device) for k, v in y.items()}
    if isinstance(y, list):
        return [_toDevice(v, device) for v in y]
    return y


def _setCosineRate(optimiser: torch.optim.Optimizer, step: int, steps: int) -> None:
    """Set each group's lr for `step` of `steps`: linear warm-up over the first 5 %, then cosine decay to 0."""
    warmup = max(1, steps // 20)
    if step < warmup:
        factor = (step + 1) / warmup
    else:
        factor = 0.5 * (1.0 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup)))
    for group in optimiser.param_groups:
        group['lr'] = group['initial_lr'] * factor


class _Fixed(Dataset[tuple[torch.Tensor, Any]]):
    """Evaluation items whose X was computed once (recorded at a fixed epoch): (X[k], Y[indices[k]])."""

    def __init__(self, X: torch.Tensor, Y: list[Any], indices: list[int]) -> None:
        self.X, self.Y, self.indices = X, Y, indices

    def __getitem__(self, k: int) -> tuple[torch.Tensor, Any]:
        return self.X[k], self.Y[self.indices[k]]

    def __len__(self) -> int:
        return len(self.indices)


def _kept(directory: Path, epoch: int) -> str:
    """The end of a divergence message at `epoch` (from 0): where the checkpoints of the epochs before it are."""
    return f' (the checkpoints of epochs 1–{epoch} in {directory} are intact).' if epoch else '.'


class Routine:
    """Owns one training run: device, parameters P, dataset D, model M, run info R, checkpoints and tracking.

    exports_dir: checkpoints go to exports_dir/<run id>/ (last.pt every epoch, best.pt, epoch_NNN.pt). wandb_config:
    {} trains locally; otherwise the keyword arguments of wandb.init (WANDB_MODE=offline works without network).
    resume: the id of an earlier run in exports_dir, or its directory: training continues from its last.pt.
    """

    device: torch.device
    D: TorchDataset
    M: Model
    P: dict[str, Any]
    R: RunInfo
    using_wandb: bool

    def __init__(self, exports_dir: str = '', wandb_config: Mapping[str, Any] = {}, resume: str = '') -> None:
        variable = os.environ.get('KAC_PREDICTION_DEVICE', '')
        self.device = checkDevice(variable, 'KAC_PREDICTION_DEVICE') if variable else chooseDevice()
        initDistributed(self.device)
        self.using_wandb = bool(wandb_config)
        base = Path(exports_dir or '.')
        self._resume: Path | None = None
        if resume:
            candidate = Path(resume) if Path(resume).is_dir() else base / resume
            if not (candidate / 'last.pt').exists():
                raise FileNotFoundError(f'cannot resume {resume!r}: {candidate / "last.pt"} does not exist.')
            self._resume = candidate
        run_id = self._resume.name if self._resume is not None else ''
        if self.using_wandb and isMain():
            import wandb

            settings = dict(wandb_config)
            if run_id:
                settings.setdefault('id', run_id)
                settings.setdefault('resume', 'allow')
            wandb.init(**settings)
            run_id = run_id or (wandb.run.id if wandb.run is not None else '')
        if not run_id:
            run_id = ''.join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(10))
        run_id = broadcastObject(run_id)
        directory = self._resume if self._resume is not None else base / run_id  # made by train(), not before
        self.R = {'epoch': 0, 'exports_dir': os.fspath(directory.resolve()), 'id': run_id, 'model': None}
        self._tracker = Tracker(self.using_wandb, directory)
        self._recording: tuple[int, RecordingSettings | None, RoomBank | None] | None = None

    # --- set-up ---

    def setParameters(
        self, default: Parameters | Mapping[str, Any], config_path: str = '', overrides: Mapping[str, Any] | None = None
    ) -> None:
        """P = TRAINING_DEFAULTS ← `default` ← the YAML file at config_path ← `overrides` (e.g. `--key=value` from
        the command line) ← wandb.config (sweeps), each value validated (`mergeParameters`).

        Seeds torch, numpy and random with P['seed'] so that the model built next starts from the same weights.
        """
        yaml_config = loadYAML(config_path) if config_path else None
        wandb_config: dict[str, Any] | None = None
        if self.using_wandb and isMain():
            import wandb

            wandb_config = dict(wandb.config)
        wandb_config = broadcastObject(wandb_config)  # sweep parameters reach every rank
        self.P = mergeParameters(default, yaml_config, wandb_config, overrides)
        if self.using_wandb and isMain():
            import wandb

            wandb.config.update(self.P, allow_val_change=True)  # type: ignore[no-untyped-call]
        if self.P['device']:
            self.device = checkDevice(self.P['device'])
        torch.manual_seed(self.P['seed'])
        np.random.seed(self.P['seed'] % 2**32)  # noqa: NPY002 - seeds user code that uses the legacy global RNG
        random.seed(self.P['seed'])

    def importDataset(
        self,
        dataset_dir: str,
        dataset_name: Datasets | Literal[''] = '',
        LocalSampler: type[AudioSampler] | None = None,
        representation_settings: RepresentationSettings = {},  # noqa: B006
        sampler_settings: Mapping[str, Any] = {'duration': 1.0, 'sample_rate': 48000},
    ) -> None:
        """Load, install or generate the dataset D (docs/architecture.md, "Training").

        P['testing'] (a smoke run): a 200-item dataset generated by LocalSampler in dataset_dir/testing-<Sampler>.
        Otherwise, with a dataset name (argument or P['dataset_name']): the official dataset, installed into
        dataset_dir if it is not there. Otherwise: P['dataset_size'] items generated by LocalSampler into dataset_dir
        (or loaded, if already there; an interrupted generation resumes). Never installs and generates into one
        directory; a dataset_dir holding another sampler's dataset is an error.
        """
        if not hasattr(self, 'P'):
            raise RuntimeError('call setParameters() before importDataset(): the dataset depends on P.')
        name = dataset_name or self.P.get('dataset_name', '')
        settings = dict(representation_settings) or None
        if self.P['testing'] or not name:
            if LocalSampler is None:
                raise ValueError('importDataset needs a LocalSampler to generate a dataset (or a dataset_name).')
            target = os.path.join(dataset_dir, f'testing-{LocalSampler.__name__}') if self.P['testing'] else dataset_dir
            if os.path.exists(os.path.join(target, 'metadata.json')):
                held = readHeader(target)['sampler']['name']
                if held != LocalSampler.__name__:
                    raise ValueError(
                        f'{target} holds a dataset of {held}, not {LocalSampler.__name__}: choose another dataset_dir.'
                    )
            size = 200 if self.P['testing'] else self.P['dataset_size']
            if isMain():
                generateDataset(
                    LocalSampler, target, size, settings, sampler_settings, seed=self.P['seed'],  # type: ignore[arg-type]
                    progressbar=True,
                )  # fmt: skip
            barrier()
            self.D = loadDataset(target, settings, progressbar=False)  # type: ignore[arg-type]
        else:
            if isMain() and not os.path.exists(os.path.join(dataset_dir, 'metadata.json')):
                installDataset(name, dataset_dir)
            barrier()
            self.D = loadDataset(dataset_dir, settings, progressbar=False)  # type: ignore[arg-type]
        if LocalSampler is not None and not self.D.legacy and self.D.sampler['name'] != LocalSampler.__name__:
            raise ValueError(
                f'{self.D.dataset_dir} holds a dataset of {self.D.sampler["name"]}, not {LocalSampler.__name__}: '
                'choose another dataset_dir.'
            )

    @property
    def splits(self) -> Splits:
        """The item indices of the training, validation and test splits of D: by drum (every strike of a drum in one
        split), drums shuffled with P['seed'] and cut by P['dataset_split'] (`splitByDrum`). The training loop and
        the routines' evaluation both use these."""
        for attribute, fix in (('P', 'setParameters()'), ('D', 'importDataset()')):
            if not hasattr(self, attribute):
                raise RuntimeError(f'Routine.{attribute} is not set: call {fix} before reading Routine.splits.')
        return splitByDrum(self.D.groups, self.P['dataset_split'], self.P['seed'])

    def setModel(self, M: Model) -> None:
        """Set the network to train (moved to the device) and record it in R['model']."""
        self.M = M.to(self.device)
        self.R['model'] = {'name': type(M).__name__, 'version': _version()}

    def setRecording(self, seed: int, settings: RecordingSettings | None = None, bank: RoomBank | None = None) -> None:
        """Train on recordings (`dataset.augmented`): each epoch e hears training item i as `acoustics.record(...,
        seed, item=i, epoch=e, settings, bank)` at the dataset's rate; validation and test items are recorded once at
        `FIXED_EPOCH` (the same conditions every epoch). Without this call the clean X of D is used."""
        self._recording = (int(seed), settings, bank)

    # --- training ---

    def _loaders(
        self,
    ) -> tuple[DataLoader[Any], DataLoader[Any], DataLoader[Any], DistributedSampler[Any] | EpochSampler]:
        training, validation, test = self.splits
        world, rank = (torch.distributed.get_world_size(), torch.distributed.get_rank()) if isDistributed() else (1, 0)
        if self._recording is not None:
            return self._recordedLoaders(training, validation, test, world, rank)
        sampler: DistributedSampler[Any] = DistributedSampler(
            Subset(self.D, training), world, rank, shuffle=True, seed=self.P['seed']
        )
        options: dict[str, Any] = {'collate_fn': _collate, 'num_workers': self.P['num_workers']}
        batch = self.P['batch_size']
        train = DataLoader(Subset(self.D, training), batch_size=batch, sampler=sampler, **options)

        def evaluation(indices: list[int]) -> DataLoader[Any]:
            shard = indices[rank::world] if world > 1 else indices
            return DataLoader(Subset(self.D, shard), batch_size=batch, shuffle=False, **options)

        return train, evaluation(validation), evaluation(test), sampler

    def _recordedLoaders(
        self, training: list[int], validation: list[int], test: list[int], world: int, rank: int
    ) -> tuple[DataLoader[Any], DataLoader[Any], DataLoader[Any], EpochSampler]:
        """Loaders of recorded items: training pairs (position, epoch) from an EpochSampler, so that workers (never
        persistent ones) record each item as its epoch says; evaluation X computed once, at FIXED_EPOCH."""
        assert self._recording is not None
        seed, settings, bank = self._recording
        options: dict[str, Any] = {'collate_fn': _collate, 'num_workers': self.P['num_workers']}
        batch = self.P['batch_size']
        recorded = RecordedDataset(self.D, training, seed, settings, bank)
        sampler = EpochSampler(DistributedSampler(recorded, world, rank, shuffle=True, seed=self.P['seed']))
        train = DataLoader(recorded, batch_size=batch, sampler=sampler, **options)

        def evaluation(indices: list[int]) -> DataLoader[Any]:
            shard = indices[rank::world] if world > 1 else list(indices)
            fixed = RecordedDataset(self.D, shard, seed, settings, bank)
            parts = [x for x, _ in DataLoader(fixed, batch_size=batch, shuffle=False, **options)]
            X = torch.cat(parts) if parts else self.D.X[:0]
            return DataLoader(_Fixed(X, self.D.Y, shard), batch_size=batch, shuffle=False, collate_fn=_collate)

        return train, evaluation(validation), evaluation(test), sampler

    def _evaluate(self, loader: DataLoader[Any], innerTestingLoop: InnerTestingLoop) -> dict[str, float]:
        """Run the user's innerTestingLoop over `loader`; M.testing_loss reduced across ranks."""
        self.M.eval()
        self.M.testing_loss = {'aggregate': 0.0}
        with torch.no_grad():
            for i, (x, y) in enumerate(loader):
                innerTestingLoop(i, len(loader), x.to(self.device), _toDevice(y, self.device))
        return meanAcrossRanks(self.M.testing_loss)

    def _checkpoint(
        self, epoch: int, training_loss: float, validation: dict[str, float], stopper: EarlyStopping
    ) -> ExportedModel:
        state = {
            'early_stopping': stopper.state_dict(),
            'history': self._tracker.history,
            'torch_rng': torch.get_rng_state(),
            'cuda_rng': torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        }
        return {
            'dataset': {
                'dataset_dir': self.D.dataset_dir,
                'dataset_size': self.D.dataset_size,
                'representation_settings': self.D.representation_settings,
                'sampler': dict(self.D.sampler),
                'sampler_settings': {k: v for k, v in self.D.sampler_settings.items()},
            },
            'evaluation_loss': dict(validation),
            'hyperparameters': dict(self.P),
            'model_kwargs': dict(self.M.model_kwargs),
            'model_state_dict': self.M.state_dict(),
            'optimizer_state_dict': self.M.optimiser.state_dict(),
            'run_info': {**self.R, 'epoch': epoch},
            'testing_loss': None,
            'training_loss': training_loss,
            'training_state': state,
        }

    def _restore(self, stopper: EarlyStopping) -> None:
        """Continue from last.pt of the run being resumed: weights, optimiser, epoch, early stopping, RNG, history."""
        assert self._resume is not None
        checkpoint = loadCheckpoint(self._resume / 'last.pt', map_location=self.device)
        self.M.load_state_dict(checkpoint['model_state_dict'])
        self.M.optimiser.load_state_dict(checkpoint['optimizer_state_dict'])
        state = checkpoint['training_state']
        stopper.load_state_dict(state['early_stopping'])
        self._tracker.history = list(state['history'])
        torch.set_rng_state(state['torch_rng'])
        if state['cuda_rng'] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state['cuda_rng'])
        self.R['epoch'] = checkpoint['run_info']['epoch']

    def train(self, innerTestingLoop: InnerTestingLoop) -> dict[str, Any]:
        """Train M on the training split, validate each epoch, stop early, keep the best weights, test them once.

        innerTestingLoop(i, loop_length, x, y) fills M.testing_loss['aggregate'] (and per-label entries if it likes)
        for batch i; the Routine resets it, reduces it across ranks and records it per epoch as validation_loss and,
        at the end, on the test split with the best weights, as testing_loss. Returns {'validation_loss': the best
        validation aggregate, 'testing_loss': {...}, 'epochs': epochs run, 'exports_dir': ...}.
        """
        for attribute, fix in (('P', 'setParameters()'), ('D', 'importDataset()'), ('M', 'setModel()')):
            if not hasattr(self, attribute):
                raise RuntimeError(f'Routine.{attribute} is not set: call {fix} before train().')
        directory = Path(self.R['exports_dir'])
        made = [folder for folder in (directory, *directory.parents) if not folder.exists()] if isMain() else []
        if isMain():
            directory.mkdir(parents=True, exist_ok=True)
        previous = torch.get_num_threads()
        if self._recording is not None and self.P['num_workers'] > 0:
            world = torch.distributed.get_world_size() if isDistributed() else 1
            torch.set_num_threads(trainingThreads(self.P['num_workers'], world, previous))
        try:
            return self._train(directory, innerTestingLoop)
        except BaseException:
            for folder in made:  # a run that fails before its first checkpoint leaves no empty directories behind
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
            raise
        finally:
            torch.set_num_threads(previous)

    def _train(self, directory: Path, innerTestingLoop: InnerTestingLoop) -> dict[str, Any]:
        train, validation, test, sampler = self._loaders()
        if isDistributed():
            ddp = torch.nn.parallel.DistributedDataParallel(
                self.M, device_ids=[self.device.index] if self.device.type == 'cuda' else None
            )
            self.M.setWrapper(ddp)
        hooks = []
        if self.P['gradient_clipping'] > 0:
            limit = self.P['gradient_clipping']

            def clip(optimiser: torch.optim.Optimizer, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
                torch.nn.utils.clip_grad_norm_(self.M.parameters(), limit)

            hooks.append(self.M.optimiser.register_step_pre_hook(clip))
        stopper = EarlyStopping(self.P['patience'], self.P['min_delta'])
        if self._resume is not None:
            self._restore(stopper)
        autocast = (
            torch.autocast(self.device.type, dtype=torch.bfloat16)
            if self.P['precision'] == 'bfloat16'
            else nullcontext()
        )
        epochs = self.P['num_of_epochs']
        schedule = self.P['learning_rate_schedule']
        if schedule == 'cosine' and epochs == 0:
            raise ValueError(
                "learning_rate_schedule 'cosine' decays over num_of_epochs: set num_of_epochs > 0 (or use 'constant')."
            )
        for group in self.M.optimiser.param_groups:
            group.setdefault('initial_lr', group['lr'])  # saved with the optimiser state, so a resumed run keeps it
        bar = tqdm(total=epochs or None, initial=self.R['epoch'], unit=' epochs', disable=not isMain(), desc='Training')
        try:
            while epochs == 0 or self.R['epoch'] < epochs:
                epoch = self.R['epoch']
                sampler.set_epoch(epoch)
                self.M.train()
                self.M.training_loss = 0.0
                for i, (x, y) in enumerate(train):
                    if schedule == 'cosine':
                        _setCosineRate(self.M.optimiser, epoch * len(train) + i, epochs * len(train))
                    with autocast:
                        self.M.innerTrainingLoop(i, len(train), x.to(self.device), _toDevice(y, self.device))
                    if not math.isfinite(self.M.training_loss):
                        raise FloatingPointError(
                            f'the training loss became {self.M.training_loss} at epoch {epoch + 1}, batch {i}: lower '
                            'the learning_rate, set gradient_clipping, or check the inputs for NaN/inf'
                            + _kept(directory, epoch)
                        )
                training_loss = meanAcrossRanks({'loss': self.M.training_loss / max(len(train), 1)})['loss']
                losses = self._evaluate(validation, innerTestingLoop)
                if not math.isfinite(losses['aggregate']):
                    raise FloatingPointError(
                        f'the validation loss became {losses["aggregate"]} at epoch {epoch + 1}: lower the '
                        'learning_rate or set gradient_clipping' + _kept(directory, epoch)
                    )
                improved = stopper.step(losses['aggregate'], epoch)
                self.R['epoch'] = epoch + 1
                self._tracker.log(epoch, {'training_loss': training_loss, 'validation_loss': losses})
                if isMain():
                    checkpoint = self._checkpoint(epoch + 1, training_loss, losses, stopper)
                    saveCheckpoint(checkpoint, directory / 'last.pt')
                    if improved:
                        saveCheckpoint(checkpoint, directory / 'best.pt')
                    every = self.P['checkpoint_every']
                    if every and (epoch + 1) % every == 0:
                        saveCheckpoint(checkpoint, directory / epochName(epoch + 1))
                        self._tracker.save(directory / epochName(epoch + 1))
                bar.update(1)
                bar.set_postfix(training=f'{training_loss:.4g}', validation=f'{losses["aggregate"]:.4g}')
                if self.P['with_early_stopping'] and allRanksAgree(stopper.shouldStop):
                    break
        finally:
            bar.close()
            for hook in hooks:
                hook.remove()
        self.M.setWrapper(None)
        barrier()
        return self._test(directory, test, innerTestingLoop, stopper)

    def _test(
        self, directory: Path, test: DataLoader[Any], innerTestingLoop: InnerTestingLoop, stopper: EarlyStopping
    ) -> dict[str, Any]:
        """Restore the best weights, evaluate the test split once, and record it in best.pt."""
        best = loadCheckpoint(directory / 'best.pt', map_location=self.device)
        self.M.load_state_dict(best['model_state_dict'])
        testing = self._evaluate(test, innerTestingLoop)
        if isMain():
            best['testing_loss'] = testing
            saveCheckpoint(best, directory / 'best.pt')
            self._tracker.save(directory / 'best.pt')
            self._tracker.summary({'testing_loss': testing, 'best_validation_loss': stopper.best})
            self._tracker.plotLearningCurves()
        barrier()
        return {
            'validation_loss': stopper.best,
            'testing_loss': testing,
            'epochs': self.R['epoch'],
            'exports_dir': self.R['exports_dir'],
        }
