"""The shared body of the regression routines: a CRePE that predicts drum labels from a drum's spectrum.

Input (an interim choice, accuracy not yet tuned): the mean log power spectrum of the 1-s drum, 1024 bins of a
2046-point STFT (23.4 Hz apart at 48 kHz), averaged over frames; targets standardised with the training split's mean
and spread. Metrics on the held-out test split are in physical units, beside the predict-the-mean baseline.
"""

import os
from collections.abc import Mapping, Sequence
from typing import Any

import torch

from kac_prediction.architecture import CRePE
from kac_prediction.pipeline import Routine
from kac_prediction.pipeline.metrics import regressionMetrics
from kac_prediction.pipeline.splits import splitByDrum
from kac_prediction.samplers import AudioSampler

REPRESENTATION = {'output_type': 'fft', 'n_bins': 2046, 'window_length': 2046, 'hop_length': 2046}
SAMPLER_SETTINGS = {'duration': 1.0, 'sample_rate': 48000}


def defaultParameters(**changes: Any) -> dict[str, Any]:
    """The routines' defaults: a real run (testing: false) on a locally generated dataset."""
    P = CRePE.ModelHyperParameters(
        batch_size=16, dataset_split=(0.7, 0.15, 0.15), num_of_epochs=30, testing=False, with_early_stopping=True,
        depth='tiny', dropout=0.1, learning_rate=1e-3, optimiser='adam',
    )  # fmt: skip
    return {**P, 'dataset_size': 1000, 'patience': 8, **changes}


def trainRegression(
    Sampler: type[AudioSampler],
    labels: Sequence[str],
    defaults: Mapping[str, Any],
    config_path: str = '',
    wandb_config: Mapping[str, Any] = {},
    dataset_dir: str = '',
    exports_dir: str = 'model',
) -> dict[str, Any]:
    """Train CRePE to predict `labels` of `Sampler`'s drums; returns the Routine's metrics plus per-label `metrics`."""
    routine = Routine(exports_dir=exports_dir, wandb_config=wandb_config)
    routine.setParameters(defaults, config_path=config_path)
    name = routine.P['dataset_name']
    directory = dataset_dir or os.path.join('data', name or Sampler.__name__)
    routine.importDataset(directory, dataset_name=name, LocalSampler=Sampler,
                          representation_settings=REPRESENTATION, sampler_settings=SAMPLER_SETTINGS)  # type: ignore[arg-type]  # fmt: skip
    X = torch.log10(routine.D.X.mean(dim=-1) + 1e-10)  # (N, 1024)
    Y = torch.stack([torch.cat([y[label].flatten() for label in labels]) for y in routine.D.Y])  # (N, labels)
    training, _, test = splitByDrum(routine.D.groups, routine.P['dataset_split'], routine.P['seed'])
    mean, spread = Y[training].mean(dim=0), Y[training].std(dim=0).clamp_min(1e-8)
    routine.D.X, routine.D.Y = X, list((Y - mean) / spread)
    routine.setModel(
        CRePE(routine.P['depth'], routine.P['dropout'], routine.P['learning_rate'], routine.P['optimiser'], len(labels))
    )

    def innerTestingLoop(i: int, loop_length: int, x: torch.Tensor, y: torch.Tensor) -> None:
        error = (routine.M(x) - y).square()
        routine.M.testing_loss['aggregate'] += error.mean().item() / loop_length
        for k, label in enumerate(labels):
            previous = routine.M.testing_loss.get(label, 0.0)
            routine.M.testing_loss[label] = previous + error[:, k].mean().item() / loop_length

    result = routine.train(innerTestingLoop)
    routine.M.eval()
    with torch.no_grad():
        batches = [X[test[k : k + 256]].to(routine.device) for k in range(0, len(test), 256)]
        predicted = torch.cat([routine.M(x).cpu() for x in batches])
    metrics = regressionMetrics(predicted * spread + mean, Y[test], labels, training_mean=mean)
    print(f'{"label":<14}{"RMSE":>10}{"R²":>8}{"mean-only RMSE":>16}   (held-out test split, {len(test)} items)')
    for label, m in metrics.items():
        print(f'{label:<14}{m["rmse"]:>10.4f}{m["r2"]:>8.3f}{m["baseline_rmse"]:>16.4f}')
    return {**result, 'metrics': metrics}
