"""Types of the training pipeline (names as the original library)."""

from typing import Any, Literal, TypedDict

from ..samplers import Datasets

__all__ = [
    'TRAINING_DEFAULTS',
    'Datasets',
    'ExportedModel',
    'ModelInfo',
    'Parameters',
    'RunInfo',
    'TrainingSettings',
]


class ModelInfo(TypedDict):
    """The model a run trains: its class name and the version of kac_prediction."""

    name: str
    version: str


class Parameters(TypedDict, total=True):
    """Parameters every model has. dataset_split: fractions (training, validation, test) summing to 1, split by
    drum. num_of_epochs: 0 trains until early stopping. testing: a smoke run on a small generated dataset."""

    batch_size: int
    dataset_split: tuple[float, float, float]
    num_of_epochs: int
    testing: bool
    with_early_stopping: bool


class TrainingSettings(TypedDict, total=False):
    """Optional settings any defaults, YAML file or wandb config may set (TRAINING_DEFAULTS fills the rest).

    seed: seeds the split, the initial weights and the batch order. patience, min_delta: early stopping after
    `patience` epochs without a validation improvement larger than `min_delta`. checkpoint_every: write epoch_NNN.pt
    every that many epochs (0: never). num_workers: DataLoader processes. precision: 'float32' or 'bfloat16'
    (autocast on the forward pass). gradient_clipping: max gradient norm (0: off). device: '' for CUDA → MPS → CPU,
    or a torch device string. dataset_size: items a routine generates locally. dataset_name: an official dataset.
    learning_rate_schedule: 'constant', or 'cosine' (per batch: a linear warm-up over the first 5 % of the
    num_of_epochs · batches steps, then a cosine decay to 0; needs num_of_epochs > 0).
    """

    seed: int
    patience: int
    min_delta: float
    checkpoint_every: int
    num_workers: int
    precision: Literal['float32', 'bfloat16']
    gradient_clipping: float
    device: str
    dataset_size: int
    dataset_name: str
    learning_rate_schedule: Literal['constant', 'cosine']


TRAINING_DEFAULTS: TrainingSettings = {
    'seed': 0,
    'patience': 10,
    'min_delta': 0.0,
    'checkpoint_every': 5,
    'num_workers': 0,
    'precision': 'float32',
    'gradient_clipping': 0.0,
    'device': '',
    'dataset_size': 200,
    'dataset_name': '',
    'learning_rate_schedule': 'constant',
}


class RunInfo(TypedDict, total=True):
    """The current run: the epoch reached, where it writes, its id, and its model."""

    epoch: int
    exports_dir: str
    id: str
    model: ModelInfo | None


class ExportedModel(TypedDict, total=True):
    """A checkpoint (`last.pt`, `best.pt`, `epoch_NNN.pt`): everything needed to evaluate, reload or resume a run.

    evaluation_loss: the validation loss of this epoch ({'aggregate': …, per label …}); testing_loss: the final loss
    on the test split with the best weights (in best.pt once training ends, else None). model_kwargs: the model's
    constructor arguments, so `loadModel` can rebuild it. training_state: what resuming needs (RNG states, early
    stopping, loss history).
    """

    dataset: dict[str, Any]
    evaluation_loss: dict[str, Any] | None
    hyperparameters: dict[str, Any]
    model_kwargs: dict[str, Any]
    model_state_dict: dict[str, Any]
    optimizer_state_dict: dict[str, Any]
    run_info: RunInfo
    testing_loss: dict[str, Any] | None
    training_loss: float
    training_state: dict[str, Any]
