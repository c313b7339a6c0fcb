"""PyMC's step-method classes, for ``sample(step=...)``: each names the variables it updates and
the engine's method (infer/compound.hpp); variables no step names are assigned by PyMC's rule."""


class _Step:
    method = None

    def __init__(self, vars=None, **kwargs):  # noqa: A002 (PyMC's name)
        if vars is not None and not isinstance(vars, (list, tuple)):
            vars = [vars]  # noqa: A001
        self.vars = [v if isinstance(v, str) else v.name for v in (vars or [])]
        self.kwargs = kwargs

    def __repr__(self):
        return f"{type(self).__name__}({self.vars})"


class NUTS(_Step):
    method = "nuts"


class HamiltonianMC(_Step):
    method = "hmc"


class Metropolis(_Step):
    method = "metropolis"


class Slice(_Step):
    method = "slice"


class BinaryGibbsMetropolis(_Step):
    method = "binary_gibbs"


class CategoricalGibbsMetropolis(_Step):
    method = "categorical_gibbs"


class CompoundStep:
    def __init__(self, methods):
        self.methods = list(methods)


def overrides(step, model):
    """(variable, method) pairs, the Hamiltonian kernel, and its options from ``step``."""
    if step is None:
        return [], None, {}
    steps = step.methods if isinstance(step, CompoundStep) else (
        list(step) if isinstance(step, (list, tuple)) else [step])
    pairs, kernel, options = [], None, {}
    free = [v["name"] for v in model._core.free_vars()]
    for s in steps:
        if not isinstance(s, _Step):
            raise TypeError(f"step= takes step methods (stochos.NUTS, stochos.Metropolis, ...), "
                            f"not {s!r}")
        names = s.vars or (free if len(steps) == 1 else [])
        if not names:
            raise ValueError(f"{type(s).__name__}: name the variables it updates (vars=[...])")
        if s.method in ("nuts", "hmc"):
            kernel = s.method
            options.update(s.kwargs)
        for n in names:
            pairs.append((n, s.method))
    return pairs, kernel, options
