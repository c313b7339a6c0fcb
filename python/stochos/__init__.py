"""Stochos: PyMC's modelling API over the Stochos engine (``import stochos as pm``).

A model is written as in PyMC, and is fitted by the engine the configuration chooses (the
``backend=`` argument, else STOCHOS_BACKEND, else ~/.stochos/stochos.json, else native), with
results as the installed ArviZ reads them.
"""

import os as _os
import sys as _sys

# The engine modules (stochos-torch.so) bind to the engine's symbols in _core, so _core is
# loaded with RTLD_GLOBAL; an installed package carries its modules in engines/ beside it.
_here = _os.path.dirname(_os.path.abspath(__file__))
_engines = _os.path.join(_here, "engines")
if _os.path.isdir(_engines):
    _path = _os.environ.get("STOCHOS_ENGINE_PATH")
    _os.environ["STOCHOS_ENGINE_PATH"] = _engines + (":" + _path if _path else "")
_flags = _sys.getdlopenflags()
_sys.setdlopenflags(_flags | _os.RTLD_GLOBAL)
try:
    from . import _core
finally:
    _sys.setdlopenflags(_flags)

from . import math  # noqa: E402
from .distributions import *  # noqa: E402,F401,F403
from .distributions import Distribution, transforms  # noqa: E402,F401
from .graphviz import model_to_graphviz  # noqa: E402,F401
from .inference_data import InferenceData, from_netcdf, to_inference_data  # noqa: E402,F401
from .loops import scan  # noqa: E402,F401
from .model import (ConstantData, Data, Deterministic, Model, MutableData, Potential,  # noqa: E402,F401
                    load, load_data, modelcontext, set_data)
from .sampling import (Approximation, find_MAP, fit, pathfinder, sample,  # noqa: E402,F401
                       sample_posterior_predictive, sample_prior_predictive)
from .stats import summary  # noqa: E402,F401
from .step_methods import (NUTS, BinaryGibbsMetropolis, CategoricalGibbsMetropolis,  # noqa: E402,F401
                           CompoundStep, HamiltonianMC, Metropolis, Slice)
from .tensor import TensorVariable, as_tensor  # noqa: E402,F401

__version__ = _core.__version__


def config(backend=None):
    """The engine settings as the CLI resolves them: {setting: (value, source)}."""
    return _core.config(backend)


def backends():
    """The engines this build can use."""
    return _core.backends()
