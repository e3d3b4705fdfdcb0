"""The package's layers: no module imports from a layer above its own (docs/architecture.md, "Layers")."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / 'kac_prediction'
LAYERS = [
    {'_io', '_checks'},
    {'geometry'},
    {'physics'},
    {'samplers'},
    {'acoustics'},
    {'dataset'},
    {'pipeline'},
    {'architecture'},
    {'inference'},
    {'models'},
    {'routines', 'sweep', 'orchestrate'},
    {'serve', 'cli_orchestrate'},
    {'cli', 'demo'},
]
RANK = {component: rank for rank, layer in enumerate(LAYERS) for component in layer}
MODULES = sorted(path for path in PACKAGE.rglob('*.py') if path.parent != PACKAGE or path.name != '__init__.py')


def component(path: Path, root: Path = PACKAGE) -> str:
    """The top-level part of the package that the file belongs to: 'pipeline' for pipeline/routine.py."""
    first = path.relative_to(root).parts[0]
    return first.removesuffix('.py')


def importedComponents(path: Path, root: Path = PACKAGE) -> list[tuple[int, str]]:
    """(line, component) of every import of the package in the file, at any depth (function-level imports too)."""
    package = ['kac_prediction', *path.relative_to(root).parent.parts]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = '.'.join([*base, *([node.module] if node.module else [])])
            names = [module] if node.module else [f'{module}.{alias.name}' for alias in node.names]
        for name in names:
            parts = name.split('.')
            if parts[0] == 'kac_prediction' and len(parts) > 1:
                found.append((node.lineno, parts[1]))
    return sorted(found)


def test_every_module_belongs_to_a_layer() -> None:
    unknown = sorted({component(path) for path in MODULES} - set(RANK))
    assert not unknown, f'add {unknown} to LAYERS here and to docs/architecture.md'


def upwardImports(path: Path, root: Path = PACKAGE) -> list[str]:
    """'line N: X imports Y' for each import of a component at the file's own layer or above."""
    own = component(path, root)
    return [
        f'line {line}: {own} imports {other}'
        for line, other in importedComponents(path, root)
        if other != own and other in RANK and RANK[other] >= RANK[own]
    ]


@pytest.mark.parametrize('path', MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_no_import_runs_up_the_layers(path: Path) -> None:
    upward = upwardImports(path)
    assert not upward, '; '.join(upward)


def test_the_rule_catches_upward_and_sideways_imports(tmp_path: Path) -> None:
    root = tmp_path / 'kac_prediction'
    (root / 'pipeline').mkdir(parents=True)
    (root / 'routines').mkdir()
    (root / 'pipeline' / 'bad.py').write_text(
        'from ..dataset import loadDataset\n'
        'def f():\n    from ..inference import loadPredictor\n'
        'import kac_prediction.cli\n'
    )
    (root / 'routines' / 'sideways.py').write_text('from kac_prediction.sweep import runSweep\nfrom .. import _io\n')
    assert upwardImports(root / 'pipeline' / 'bad.py', root) == [
        'line 3: pipeline imports inference',
        'line 4: pipeline imports cli',
    ]
    assert upwardImports(root / 'routines' / 'sideways.py', root) == ['line 1: routines imports sweep']
