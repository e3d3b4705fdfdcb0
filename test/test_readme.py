"""The Python examples of README.md and docs/usage.md run as written."""

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / 'README.md'
BLOCKS = re.findall(r'```python\n(.*?)```', README.read_text(encoding='utf-8'), flags=re.DOTALL)
USAGE = re.findall(r'```python\n(.*?)```', (ROOT / 'docs' / 'usage.md').read_text(encoding='utf-8'), flags=re.DOTALL)


@pytest.mark.parametrize(
    'block', BLOCKS + USAGE, ids=[f'block{i}' for i in range(len(BLOCKS))] + [f'usage{i}' for i in range(len(USAGE))]
)
def test_readme_example_runs(block: str, tmp_path: Path) -> None:
    cwd = os.getcwd()
    os.chdir(tmp_path)  # examples may write files (drum.wav)
    try:
        exec(compile(block, str(README), 'exec'), {})
    finally:
        os.chdir(cwd)


def test_readme_has_examples() -> None:
    assert len(BLOCKS) >= 3 and len(USAGE) >= 1
