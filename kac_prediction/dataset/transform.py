"""transformDataset: give a dataset another input representation, computed from its WAVs and cached."""

from .cache import cachedX
from .input_representation import RepresentationSettings
from .torch_dataset import TorchDataset

__all__ = ['transformDataset']


def transformDataset(
    dataset: TorchDataset, representation_settings: RepresentationSettings, progressbar: bool = True
) -> TorchDataset:
    """Replace `dataset.X` by the representation `representation_settings` (defaults filled in) and return it.

    X is computed from the WAVs as stored (float32, batched torch.stft) and cached under the dataset's cache/ folder,
    so a second call with the same settings only maps the cache. The audio and metadata.json are never rewritten.
    """
    X, settings = cachedX(
        dataset.dataset_dir, dataset.dataset_size, dataset.sampler_settings, representation_settings, True, progressbar
    )
    dataset.X, dataset.representation_settings = X, settings
    return dataset
