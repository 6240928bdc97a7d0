import pathlib
import shutil

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
GRAPHS = ROOT / "graphs"


def pytest_collection_modifyitems(config, items):
    """Tests marked `dot` need Graphviz; CI installs it, elsewhere they are skipped with a reason."""
    if shutil.which("dot"):
        return
    skip = pytest.mark.skip(reason="Graphviz 'dot' is not installed (make test installs it)")
    for item in items:
        if item.get_closest_marker("dot") is not None:
            item.add_marker(skip)
