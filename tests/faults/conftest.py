"""The fault suite's checks import ``tests.faults`` (the suite runs as ``python -m tests.faults``
from the repository root); pytest's importlib mode does not put the root on sys.path."""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
