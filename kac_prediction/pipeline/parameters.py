"""Parameters of a run: defaults ← YAML ← overrides ← wandb.config, merged and validated (docs/architecture.md,
"Training").

Valid keys are those of the routine's defaults plus `TrainingSettings`. A value must have the type of the default it
replaces (an int is accepted for a float; a list for a tuple of the same length); `TrainingSettings` are checked
against their annotations. Anything else is a ValueError or TypeError naming the key and listing the valid keys.
"""

import math
import os
import re
from collections.abc import Mapping
from typing import Any, get_args

import torch
import yaml

from .._checks import isNumber
from .types import TRAINING_DEFAULTS, TrainingSettings

__all__ = ['checkDevice', 'loadYAML', 'mergeParameters', 'parseValue']


class _ConfigLoader(yaml.SafeLoader):
    """yaml's safe loader that also reads the `!!python/tuple` tag written by old configs (as a tuple)."""


_ConfigLoader.add_constructor(
    'tag:yaml.org,2002:python/tuple',
    lambda loader, node: tuple(loader.construct_sequence(node)),  # type: ignore[arg-type]
)
# YAML 1.1 (PyYAML) reads 1e-4 as a string, its floats needing a dot (1.0e-4); YAML 1.2 and people read a number
_ConfigLoader.add_implicit_resolver(
    'tag:yaml.org,2002:float',
    re.compile(r'^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$'),
    list('-+0123456789'),
)


def parseValue(text: str) -> Any:
    """A parameter value written as YAML (32, 0.5, 1e-4, true, [0.7, 0.15, 0.15]), read as `loadYAML` reads files;
    ValueError if it is not valid YAML."""
    try:
        return yaml.load(text, Loader=_ConfigLoader)  # a SafeLoader subclass
    except yaml.YAMLError as error:
        raise ValueError(f'{text!r} is not valid YAML: {error}') from None


def loadYAML(config_path: str | os.PathLike[str]) -> dict[str, Any]:
    """The mapping in a YAML file (empty file → {}), read with a safe loader that accepts `!!python/tuple`."""
    try:
        with open(config_path, encoding='utf-8') as file:
            content = yaml.load(file, Loader=_ConfigLoader)  # a SafeLoader subclass
    except FileNotFoundError:
        raise FileNotFoundError(f'config file {config_path} does not exist.') from None
    except IsADirectoryError:
        raise ValueError(f'config file {config_path} is a directory: give the path of a YAML file.') from None
    except UnicodeDecodeError:
        raise ValueError(f'config file {config_path} is not UTF-8 text: give the path of a YAML file.') from None
    except OSError as error:
        raise ValueError(f'cannot read config file {config_path}: {error.strerror or error}.') from None
    except yaml.YAMLError as error:
        raise ValueError(f'config file {config_path} is not valid YAML: {error}') from None
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise ValueError(f'config file {config_path} must hold a mapping of parameter names to values.')
    return content


def _coerce(key: str, value: Any, reference: Any, source: str) -> Any:
    """`value` converted to the type of `reference`, or a TypeError naming the key."""
    annotation = TrainingSettings.__annotations__.get(key)
    allowed = get_args(annotation) if annotation is not None and get_args(annotation) else None
    if allowed is not None and all(isinstance(a, str) for a in allowed):  # a Literal of strings
        if value not in allowed:
            raise ValueError(f'{key} from {source} must be one of {allowed}, got {value!r}.')
        return value
    if reference is None:
        return value
    if isinstance(reference, bool):
        ok = isinstance(value, bool)
    elif isinstance(reference, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(reference, float):
        ok = isNumber(value)
        value = float(value) if ok else value
    elif isinstance(reference, str):
        ok = isinstance(value, str)
    elif isinstance(reference, (tuple, list)):
        ok = isinstance(value, (tuple, list)) and len(value) == len(reference)
        if ok and all(isNumber(r) for r in reference):
            ok = all(isNumber(v) for v in value)
        value = tuple(value) if ok and isinstance(reference, tuple) else value
    else:
        ok = isinstance(value, type(reference))
    if not ok:
        raise TypeError(
            f'{key} from {source} must be like the default {reference!r} ({type(reference).__name__}), got {value!r}.'
        )
    return value


def _checkValues(P: Mapping[str, Any]) -> None:
    split = P.get('dataset_split')
    if split is not None and (
        len(split) != 3 or not all(s > 0 for s in split) or not math.isclose(sum(split), 1.0, abs_tol=1e-6)
    ):
        raise ValueError(
            f'dataset_split must be three fractions > 0 summing to 1 (training, validation, test), got {split}: '
            'training needs items, validation picks the best epoch, test measures it.'
        )
    if P.get('device'):
        checkDevice(P['device'])
    for key, minimum in (('batch_size', 1), ('num_of_epochs', 0), ('patience', 0), ('checkpoint_every', 0),
                         ('num_workers', 0), ('dataset_size', 1)):  # fmt: skip
        if key in P and P[key] < minimum:
            raise ValueError(f'{key} must be ≥ {minimum}, got {P[key]}.')
    for key in ('min_delta', 'gradient_clipping'):
        if key in P and not (P[key] >= 0 and math.isfinite(P[key])):
            raise ValueError(f'{key} must be finite and ≥ 0, got {P[key]}.')


def checkDevice(device: str, name: str = 'device') -> torch.device:
    """The torch device named by `device` ('cpu', 'cuda', 'cuda:1', 'mps', …); ValueError naming `name` when torch
    does not know the device type or this machine does not have it."""
    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(
            f"{name} must be '' (automatic: CUDA, else MPS, else CPU) or a torch device such as 'cpu', 'cuda', "
            f"'cuda:1' or 'mps', got {device!r}."
        ) from None
    if parsed.type == 'cuda':
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if (parsed.index or 0) >= count:
            raise ValueError(
                f"{name} is {device!r} but this machine has {count} CUDA device(s): use '' (automatic) or 'cpu'."
            )
    elif parsed.type == 'mps' and not torch.backends.mps.is_available():
        raise ValueError(f"{name} is {device!r} but MPS is not available here: use '' (automatic) or 'cpu'.")
    return parsed


def mergeParameters(
    default: Mapping[str, Any],
    yaml_config: Mapping[str, Any] | None = None,
    wandb_config: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """TRAINING_DEFAULTS ← `default` ← `yaml_config` ← `overrides` ← `wandb_config`, each value checked (module
    docstring).

    Keys of wandb_config starting with '_' (wandb's own) are ignored.
    """
    merged: dict[str, Any] = dict(TRAINING_DEFAULTS)
    for key, value in default.items():
        merged[key] = _coerce(key, value, TRAINING_DEFAULTS.get(key, value), 'the defaults')
    valid = sorted(merged)
    sources = (('the YAML config', yaml_config), ('the overrides', overrides), ('wandb.config', wandb_config))
    for source, config in sources:
        for key, value in (config or {}).items():
            if source == 'wandb.config' and str(key).startswith('_'):
                continue
            if key not in merged:
                raise ValueError(f'unknown parameter {key!r} in {source}; valid keys: {", ".join(valid)}.')
            merged[key] = _coerce(key, value, merged[key], source)
    _checkValues(merged)
    return merged
