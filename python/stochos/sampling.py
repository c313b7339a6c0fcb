"""Inference, PyMC's functions: sample, find_MAP, fit, pathfinder and predictive draws. Results
are InferenceData (inference_data.py) with the model's coords and dims."""

import logging
import os
import time

import numpy as np

from . import _core
from .inference_data import stats_name, to_inference_data
from .model import modelcontext
from .progress import Progress
from .step_methods import overrides

_log = logging.getLogger("stochos")

# PyMC's initialisations and the engine's equivalents: the start (the support point, jittered by
# uniform(-1, 1) on the unconstrained space, or Stan's uniform(-2, 2) around the origin) and the
# metric. The default, "auto", lets the warm-up turn dense where the draws are strongly
# correlated (Note [automatic metric]); naming adapt_diag or adapt_full fixes the metric.
_INITS = {"auto": ("jitter", "auto"), "jitter+adapt_diag": ("jitter", "diag"),
          "adapt_diag": ("support", "diag"), "jitter+adapt_full": ("jitter", "dense"),
          "adapt_full": ("support", "dense"), "stan": ("stan", "auto"),
          "pathfinder": ("pathfinder", "auto")}


def _seed(random_seed):
    if random_seed is None:
        return int.from_bytes(os.urandom(8), "little") >> 1
    if isinstance(random_seed, (list, tuple)):
        random_seed = random_seed[0]
    if isinstance(random_seed, np.random.Generator):
        return int(random_seed.integers(2**62))
    return int(random_seed)


def _ready(model):
    if model._predictive_only:
        raise ValueError(model._predictive_only)


def sample(draws=1000, *, tune=None, chains=None, cores=None, random_seed=None, progressbar=True,
           step=None, init="auto", initvals=None, target_accept=None, max_treedepth=None,
           discard_tuned_samples=True, compute_convergence_checks=True, return_inferencedata=True,
           idata_kwargs=None, nuts_sampler_kwargs=None, model=None, backend=None, shard_by=None,
           shards=1, **kwargs):
    """PyMC's pm.sample: NUTS (or compound steps for discrete variables) with PyMC's defaults;
    ``backend=`` chooses the engine for this call (else STOCHOS_BACKEND, then the config file).

    Under ``mpirun -np R python3 script.py`` the chains spread over the ranks; with
    ``shard_by="obs"`` and ``shards=S`` the rows of the data and observations whose first
    dimension is ``obs`` are split over the S ranks of each chain group. Rank 0 returns the
    InferenceData, the other ranks None."""
    model = modelcontext(model)
    _ready(model)
    kwargs.pop("nuts", None)
    # PyMC's nuts_sampler="nutpie" is nutpie's adaptation here (Note [nutpie adaptation]), and
    # nutpie's nuts_sampler_kwargs={"low_rank_modified_mass_matrix": True} its low-rank variant
    # (Note [nutpie low-rank adaptation]).
    nuts_sampler = kwargs.pop("nuts_sampler", "pymc")
    if nuts_sampler not in ("pymc", "nutpie"):
        raise ValueError(f"nuts_sampler='{nuts_sampler}': this engine runs 'pymc' (Stan's "
                         f"windowed adaptation) or 'nutpie' (nutpie's)")
    options = dict(nuts_sampler_kwargs or {})
    low_rank = bool(options.pop("low_rank_modified_mass_matrix", False))
    if low_rank and nuts_sampler != "nutpie":
        raise ValueError("low_rank_modified_mass_matrix is nutpie's: pass nuts_sampler='nutpie'")
    adapt = "stan" if nuts_sampler != "nutpie" else ("nutpie-lowrank" if low_rank else "nutpie")
    if tune is None:
        tune = 1000 if adapt == "stan" else 400
    if kwargs:
        raise TypeError(f"sample() got unexpected keyword arguments: {', '.join(kwargs)}")
    if init not in _INITS:
        raise ValueError(f"init='{init}' is not one of {', '.join(_INITS)}")
    if isinstance(initvals, (list, tuple)):
        if len({repr(sorted(d.items())) for d in initvals}) > 1:
            raise ValueError("initvals: one dict for every chain (per-chain values are not supported)")
        initvals = initvals[0] if initvals else None
    cpu = os.cpu_count() or 1
    cores = min(4, cpu) if cores is None else int(cores)
    chains = max(2, cores) if chains is None else int(chains)
    pairs, kernel, step_options = overrides(step, model)
    options.update(step_options)
    if target_accept is None:
        target_accept = options.get("target_accept", 0.8)
    if max_treedepth is None:
        max_treedepth = options.get("max_treedepth", 10)
    start_mode, metric = _INITS[init]
    start = model._start(initvals) if start_mode in ("jitter", "support") or initvals else None
    radius = {"jitter": 1.0, "support": 0.0}.get(start_mode, 2.0)
    world = _core.mpi_world()
    shard = model._shard(shard_by, int(shards), world) if shard_by is not None else {}
    if world and world["rank"] != 0:
        progressbar = False
    run = _core.start_sampling(
        model._core, draws=int(draws), tune=int(tune), chains=chains, cores=cores,
        seed=_seed(random_seed), target_accept=float(target_accept), max_depth=int(max_treedepth),
        sampler=kernel or "nuts", metric=metric, init="pathfinder" if start_mode == "pathfinder" else "",
        start=start, init_radius=radius, steps=pairs, backend=backend,
        keep_warmup=not discard_tuned_samples, adapt=adapt, **shard)
    if run.compound:
        _log.info("compound steps: %s", run.compound)
    result = _wait(run, chains, int(draws) + int(tune), progressbar)
    if result is None:  # another rank of an MPI run: rank 0 has the draws
        return None
    idata = _posterior_idata(model, result, discard_tuned_samples, idata_kwargs, int(tune))
    if compute_convergence_checks:
        _warn(result)
    return idata


def _wait(run, chains, per_chain, progressbar):
    """Polls the run for progress; Ctrl-C stops the chains and keeps what they drew."""
    bar = Progress(chains * per_chain, f"Sampling {chains} chain{'s' if chains > 1 else ''}",
                   progressbar)
    interrupted = False
    try:
        while not run.done():
            time.sleep(0.1)
            p = run.progress()
            bar.update(sum(i for i, _ in p), sum(d for _, d in p))
    except KeyboardInterrupt:
        interrupted = True
        run.stop()
    p = run.progress()
    bar.close(sum(i for i, _ in p), sum(d for _, d in p))
    result = run.result()
    if interrupted and result is not None:
        kept = [c["values"].shape[0] for c in result["chains"]]
        _log.warning("interrupted: the chains kept %s draws; returning them", kept)
    return result


def _warn(result):
    names = result["stat_names"]
    if "divergent__" in names:
        k = names.index("divergent__")
        n = int(sum(c["stats"][:, k].sum() for c in result["chains"] if c["stats"].size))
        if n:
            _log.warning("There were %d divergences after tuning. Increase `target_accept` or "
                         "reparameterize.", n)
    if result.get("correlation_warning"):
        _log.warning("%s.", result["correlation_warning"][0].upper() + result["correlation_warning"][1:])


def _traced(model, result, key, chains_used):
    """{name: (chain, draw, *shape)} of the traced values, discrete variables as integers."""
    discrete = {v["name"] for v in model._core.free_vars() if v["discrete"]}
    out = {}
    n = min((c[key].shape[0] for c in chains_used), default=0)
    for name, shape, offset, _det in result["variables"]:
        size = int(np.prod(shape, dtype=np.int64))
        a = np.stack([c[key][:n, offset:offset + size] for c in chains_used])
        a = a.reshape((len(chains_used), n) + tuple(shape))
        out[name] = a.astype(np.int64) if name in discrete else a
    return out


def _stats(result, key, chains_used):
    n = min((c[key].shape[0] for c in chains_used), default=0)
    out = {}
    for j, name in enumerate(result["stat_names"]):
        out[stats_name(name)] = np.stack([c[key][:n, j] for c in chains_used])
    return out


def _data_groups(model):
    observed, constant = {}, {}
    data = {v["name"]: v for v in model._core.data_vars()}
    for v in model._core.observed_vars():
        values = _core.constant_values(v["tensor"])
        if values is None:
            for d in data.values():
                if d["tensor"].node == v["tensor"].node:
                    values = d["values"]
        if values is not None:
            observed[v["name"]] = values
    for name, d in data.items():
        if not name.endswith("__predictive"):
            constant[name] = d["values"].astype(np.int64) if d["integer"] else d["values"]
    return observed, constant


def _idata(model, groups, attrs=None):
    observed, constant = _data_groups(model)
    if observed:
        groups.setdefault("observed_data", observed)
    if constant:
        groups.setdefault("constant_data", constant)
    dims = {k: list(v) for k, v in model.dims.items()}
    # A missing-data variable's pieces have no dims of the data's.
    return to_inference_data(groups, coords={k: list(v) for k, v in model.coords.items()},
                             dims=dims, attrs={"inference_library_version": _core.__version__,
                                               **(attrs or {})})


def _posterior_idata(model, result, discard_tuned_samples, idata_kwargs, tune):
    chains_used = [c for c in result["chains"] if c["values"].shape[0] > 0] or result["chains"]
    groups = {"posterior": _traced(model, result, "values", chains_used),
              "sample_stats": _stats(result, "stats", chains_used)}
    if not discard_tuned_samples:
        groups["warmup_posterior"] = _traced(model, result, "warmup_values", chains_used)
        groups["warmup_sample_stats"] = _stats(result, "warmup_stats", chains_used)
    if (idata_kwargs or {}).get("log_likelihood"):
        groups["log_likelihood"] = _log_likelihood(model, result, chains_used)
    secs = sum(c["warmup_seconds"] + c["sampling_seconds"] for c in result["chains"])
    return _idata(model, groups, {"sampling_time": secs, "backend": result["backend"],
                                  "tuning_steps": tune})


def _log_likelihood(model, result, chains_used):
    """{observed variable: (chain, draw, *shape)}: its elementwise log density at every draw."""
    n = min(c["packed"].shape[0] for c in chains_used)
    per_chain = [_core.log_likelihood(model._core, c["packed"][:n], result["backend"])
                 for c in chains_used]
    out = {}
    for k, (name, shape, _) in enumerate(per_chain[0]):
        out[name] = np.stack([pc[k][2] for pc in per_chain]).reshape((len(chains_used), n) + tuple(shape))
    return out


def find_MAP(start=None, *, method="L-BFGS-B", model=None, random_seed=None, maxeval=50000,
             include_transformed=True, progressbar=True, return_raw=False, backend=None, **kwargs):
    """PyMC's pm.find_MAP: the mode by L-BFGS (Stan's), as {name: value} with deterministics and,
    when include_transformed, the unconstrained values under their value names (tau_log__)."""
    model = modelcontext(model)
    _ready(model)
    packed = model._pack(start) if start is not None else None
    r = _core.find_map(model._core, seed=_seed(random_seed if random_seed is not None else 0),
                       start=packed, maxeval=int(maxeval), jacobian=False, backend=backend)
    point = r["point"][0]
    out = {}
    discrete = {v["name"] for v in model._core.free_vars() if v["discrete"]}
    for name, shape, offset, _det in r["variables"]:
        size = int(np.prod(shape, dtype=np.int64))
        v = point[offset:offset + size].reshape(shape)
        out[name] = v.astype(np.int64) if name in discrete else (v if shape else np.asarray(v[()]))
    if include_transformed:
        x = r["packed_point"]
        for s in model._core.layout():
            if s["transform"]:
                v = x[s["offset"]:s["offset"] + s["size"]].reshape(s["unconstrained_shape"])
                out[s["value_name"]] = v
    if not r["figures"].get("converged", 1):
        _log.warning("find_MAP: %s", r["message"])
    return (out, r) if return_raw else out


class Approximation:
    """What fit() returns (PyMC's Approximation): sample() draws from it as InferenceData."""

    def __init__(self, model, method, n, seed, tol, backend, start):
        self.model, self.method, self.n, self.seed = model, method, n, seed
        self.tol, self.backend, self.start = tol, backend, start
        self._result = self._fit(1000)
        self.hist = np.array([self._result["figures"].get("elbo", np.nan)])

    def _fit(self, draws):
        return _core.advi(self.model._core, method=self.method, n=self.n, draws=draws,
                          seed=self.seed, tol_rel_obj=self.tol, start=self.start,
                          backend=self.backend)

    @property
    def elbo(self):
        return self._result["figures"].get("elbo")

    def sample(self, draws=500, *, random_seed=None, return_inferencedata=True):
        r = self._result if draws == 1000 else self._fit(int(draws))
        groups = {"posterior": _traced(self.model, r, "values", r["chains"])}
        return _idata(self.model, groups, {"method": r["method"]})


def fit(n=10000, method="advi", *, model=None, random_seed=None, start=None, obj_optimizer=None,
        tol_rel_obj=0.01, backend=None, **kwargs):
    """PyMC's pm.fit: ADVI, mean-field ("advi") or full-rank ("fullrank_advi"), Stan's algorithm."""
    model = modelcontext(model)
    _ready(model)
    methods = {"advi": "meanfield", "fullrank_advi": "fullrank"}
    if method not in methods:
        raise ValueError(f"fit: method='{method}' is not one of {', '.join(methods)} "
                         f"(Pathfinder: stochos.pathfinder)")
    packed = model._pack(start) if start is not None else None
    return Approximation(model, methods[method], int(n), _seed(random_seed), float(tol_rel_obj),
                         backend, packed)


def pathfinder(*, num_paths=4, num_draws=1000, random_seed=None, maxiter=1000, model=None,
               backend=None, **kwargs):
    """Multi-path Pathfinder with PSIS resampling (pymc-extras' fit(method="pathfinder"))."""
    model = modelcontext(model)
    _ready(model)
    r = _core.pathfinder(model._core, num_paths=int(num_paths), num_draws=int(num_draws),
                         seed=_seed(random_seed), maxiter=int(maxiter), backend=backend)
    groups = {"posterior": _traced(model, r, "values", r["chains"])}
    return _idata(model, groups, {"method": "pathfinder", "pareto_k": r["figures"].get("pareto_k")})


def _predictive(model, draws, chains, var_names, only):
    out = {}
    for name, shape, values in draws:
        if (var_names is None or name in var_names) and only(name):
            out[name] = values.reshape((chains, values.shape[0] // chains) + tuple(shape))
    return out


def sample_prior_predictive(draws=500, *, model=None, var_names=None, random_seed=None,
                            return_inferencedata=True, samples=None, **kwargs):
    """PyMC's pm.sample_prior_predictive: the groups prior and prior_predictive."""
    model = modelcontext(model)
    draws = samples if samples is not None else draws
    d = _core.prior_predictive(model._core, int(draws), _seed(random_seed))
    observed = {v["name"] for v in model._core.observed_vars()}
    groups = {"prior": _predictive(model, d, 1, var_names, lambda n: n not in observed),
              "prior_predictive": _predictive(model, d, 1, var_names, lambda n: n in observed)}
    discrete = {v["name"] for v in model._core.free_vars() if v["discrete"]}
    for n in discrete & set(groups["prior"]):
        groups["prior"][n] = groups["prior"][n].astype(np.int64)
    return _idata(model, {k: v for k, v in groups.items() if v})


def sample_posterior_predictive(trace, *, model=None, var_names=None, random_seed=None,
                                extend_inferencedata=False, predictions=False, progressbar=True,
                                **kwargs):
    """PyMC's pm.sample_posterior_predictive: the observed variables drawn at every posterior
    draw (of an InferenceData or its posterior Dataset), at the model's current data."""
    model = modelcontext(model)
    posterior = getattr(trace, "posterior", trace)
    free = model._core.free_vars()
    first = posterior[free[0]["name"]] if free else None
    chains, ndraws = (first.shape[0], first.shape[1]) if first is not None else (1, 0)
    per_var = []
    for v in free:
        if v["name"] not in posterior:
            raise KeyError(f"the posterior has no variable '{v['name']}'")
        a = np.asarray(posterior[v["name"]], dtype=float)
        per_var.append(a.reshape(chains * ndraws, -1))
    d = _core.posterior_predictive(model._core, per_var, _seed(random_seed))
    group = "predictions" if predictions else "posterior_predictive"
    groups = {group: _predictive(model, d, chains, var_names, lambda n: True)}
    if predictions:
        observed, constant = _data_groups(model)
        groups["predictions_constant_data"] = constant
        new = to_inference_data(groups, coords={k: list(v) for k, v in model.coords.items()},
                                dims={k: list(v) for k, v in model.dims.items()})
    else:
        new = _idata(model, groups)
    if extend_inferencedata and hasattr(trace, "posterior"):
        _extend(trace, new)
        return trace
    return new


def _extend(target, new):
    """Adds new's groups to target, whichever InferenceData kind both are."""
    if hasattr(target, "extend"):
        target.extend(new)
        return
    for name in new.children if hasattr(new, "children") else new.groups():
        target[name] = new[name]
