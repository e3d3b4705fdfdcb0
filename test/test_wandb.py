"""The Routine with wandb in offline mode (no network): config written back, losses logged, checkpoints saved."""

import os
from pathlib import Path

import pytest
import wandb
from test_routine import REPRESENTATION, SAMPLER, TinyNet, defaults, lossLoop

from kac_prediction.pipeline import Routine
from kac_prediction.samplers import TestTone


def test_routine_logs_to_an_offline_wandb_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('WANDB_MODE', 'offline')
    monkeypatch.setenv('WANDB_DIR', os.fspath(tmp_path))
    monkeypatch.setenv('WANDB_SILENT', 'true')
    routine = Routine(
        exports_dir=os.fspath(tmp_path / 'model'), wandb_config={'project': 'kac-test', 'config': {'batch_size': 4}}
    )
    try:
        assert routine.using_wandb and wandb.run is not None and routine.R['id'] == wandb.run.id
        routine.setParameters(defaults(num_of_epochs=2))
        assert routine.P['batch_size'] == 4  # wandb.config (as a sweep sets it) overrides the defaults
        assert wandb.config['num_of_epochs'] == 2 and wandb.config['seed'] == 0  # P written back
        data = os.fspath(tmp_path / 'data')
        routine.importDataset(
            data,
            LocalSampler=TestTone,
            representation_settings=REPRESENTATION,
            sampler_settings=SAMPLER,  # type: ignore[arg-type]
        )
        routine.setModel(TinyNet(inputs=65 * 5, learning_rate=routine.P['learning_rate']))
        metrics = routine.train(lossLoop(routine))
        summary = dict(wandb.run.summary)
        assert summary['validation_loss'] == pytest.approx(routine._tracker.history[-1]['validation_loss'])
        assert summary['testing_loss'] == pytest.approx(metrics['testing_loss']['aggregate'])
        run_dir = Path(wandb.run.dir)
    finally:
        wandb.finish()
    assert run_dir.parent.name.startswith('offline-run-')
    assert (run_dir / 'best.pt').exists()  # saved into the run
    assert any(run_dir.parent.glob('*.wandb'))
