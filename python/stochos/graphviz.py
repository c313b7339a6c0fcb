"""``model_to_graphviz``: the model drawn as PyMC draws it (model/model_graph.hpp's DOT)."""

import shutil
import subprocess

from . import _core
from .model import modelcontext


class Digraph:
    """The DOT source, rendered by Graphviz's ``dot`` where a notebook asks for SVG (the
    ``graphviz`` Python package is used instead when it is installed)."""

    def __init__(self, source):
        self.source = source

    def __str__(self):
        return self.source

    def pipe(self, format="svg"):  # noqa: A002 (graphviz's name)
        dot = shutil.which("dot")
        if dot is None:
            raise RuntimeError("rendering needs Graphviz's `dot` (Debian: graphviz)")
        return subprocess.run([dot, f"-T{format}"], input=self.source.encode(), check=True,
                              capture_output=True).stdout

    def _repr_svg_(self):
        return self.pipe("svg").decode()

    def render(self, filename, format="svg"):  # noqa: A002
        path = f"{filename}.{format}"
        with open(path, "wb") as f:
            f.write(self.pipe(format))
        return path


def model_to_graphviz(model=None, *, formatting="plain", **kwargs):
    model = modelcontext(model)
    dims = {k: list(v) for k, v in model.dims.items()}
    lengths = {k: [len(model.coords[d]) for d in v] for k, v in model.dims.items()
               if all(d in model.coords for d in v)}
    source = _core.model_to_dot(model._core, dims, lengths)
    try:
        import graphviz

        return graphviz.Source(source)
    except ImportError:
        return Digraph(source)
