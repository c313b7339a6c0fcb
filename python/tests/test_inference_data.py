"""Tests of stochos/inference_data.py, loaded on its own so they do not need the
package's __init__ or the compiled core."""

import importlib.util
import pathlib
import sys
import types

import netCDF4
import numpy as np
import pytest
import xarray as xr

_PATH = pathlib.Path(__file__).resolve().parents[1] / "stochos" / "inference_data.py"
_SPEC = importlib.util.spec_from_file_location("stochos_inference_data", _PATH)
idm = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = idm  # so pickle can find the class again
_SPEC.loader.exec_module(idm)

SCHOOLS = ["Choate", "Deerfield", "Phillips Andover", "Phillips Exeter",
           "Hotchkiss", "Lawrenceville", "St. Paul's", "Mt. Hermon"]
CHAINS, DRAWS = 4, 100


@pytest.fixture
def rng():
    return np.random.default_rng(15)


@pytest.fixture
def groups(rng):
    """Eight schools: what a sampler hands over, with CmdStan-named sampler stats."""
    return {
        "posterior": {
            "mu": rng.normal(size=(CHAINS, DRAWS)),
            "tau": rng.gamma(2.0, size=(CHAINS, DRAWS)),
            "theta": rng.normal(size=(CHAINS, DRAWS, 8)),
            "L": rng.normal(size=(CHAINS, DRAWS, 2, 3)),  # no dims declared
        },
        "sample_stats": {
            "lp__": rng.normal(size=(CHAINS, DRAWS)),
            "accept_stat__": rng.uniform(size=(CHAINS, DRAWS)),
            "stepsize__": np.full((CHAINS, DRAWS), 0.3),
            "treedepth__": rng.integers(1, 5, size=(CHAINS, DRAWS)).astype(float),
            "n_leapfrog__": rng.integers(1, 31, size=(CHAINS, DRAWS)).astype(float),
            "divergent__": (rng.uniform(size=(CHAINS, DRAWS)) < 0.05).astype(float),
            "energy__": rng.normal(size=(CHAINS, DRAWS)),
        },
        "observed_data": {"y": np.array([28.0, 8, -3, 7, -1, 1, 18, 12])},
        "constant_data": {"sigma": np.array([15.0, 10, 16, 11, 9, 11, 10, 18]), "J": np.array(8)},
    }


def make(groups, **kwargs):
    kwargs.setdefault("dims", {"theta": ["school"], "y": ["school"], "sigma": ["school"]})
    kwargs.setdefault("coords", {"school": SCHOOLS})
    kwargs.setdefault("prefer", "stochos")
    return idm.to_inference_data(groups, **kwargs)


# --- labelling ---------------------------------------------------------------------------

def test_posterior_dims_coords_values(groups):
    idata = make(groups)
    post = idata.posterior
    assert isinstance(post, xr.Dataset)
    assert post["theta"].dims == ("chain", "draw", "school")
    assert post["theta"].shape == (CHAINS, DRAWS, 8)
    assert list(post["school"].values) == SCHOOLS
    np.testing.assert_array_equal(post["chain"].values, np.arange(CHAINS))
    np.testing.assert_array_equal(post["draw"].values, np.arange(DRAWS))
    np.testing.assert_array_equal(post["theta"].values, groups["posterior"]["theta"])
    np.testing.assert_array_equal(post["theta"].sel(school="Hotchkiss").values,
                                  groups["posterior"]["theta"][:, :, 4])
    assert post["mu"].dims == ("chain", "draw")
    np.testing.assert_array_equal(post["mu"].values, groups["posterior"]["mu"])


def test_undeclared_dims_get_default_names_and_integer_coords(groups):
    post = make(groups).posterior
    assert post["L"].dims == ("chain", "draw", "L_dim_0", "L_dim_1")
    np.testing.assert_array_equal(post["L_dim_0"].values, [0, 1])
    np.testing.assert_array_equal(post["L_dim_1"].values, [0, 1, 2])


def test_partial_dims_and_none_entries_fall_back_per_axis(rng):
    x = rng.normal(size=(2, 5, 3, 4))
    idata = make({"posterior": {"x": x, "z": x}}, dims={"x": ["row"], "z": [None, "col"]}, coords={})
    assert idata.posterior["x"].dims == ("chain", "draw", "row", "x_dim_1")
    assert idata.posterior["z"].dims == ("chain", "draw", "z_dim_0", "col")


def test_single_dim_given_as_string(rng):
    idata = make({"posterior": {"theta": rng.normal(size=(2, 5, 8))}}, dims={"theta": "school"})
    assert idata.posterior["theta"].dims == ("chain", "draw", "school")


def test_coords_only_for_dims_in_use(groups):
    idata = make(groups, coords={"school": SCHOOLS, "unused": [1, 2]})
    assert "unused" not in idata.posterior.coords
    assert set(idata.observed_data.coords) == {"school"}


def test_sample_stats_names_and_dtypes(groups):
    stats = make(groups).sample_stats
    assert set(stats.data_vars) == {"lp", "acceptance_rate", "step_size", "tree_depth",
                                    "n_steps", "diverging", "energy"}
    assert stats["diverging"].dtype == bool
    assert stats["tree_depth"].dtype == np.int64
    assert stats["n_steps"].dtype == np.int64
    assert stats["lp"].dtype == np.float64
    assert stats["diverging"].dims == ("chain", "draw")
    np.testing.assert_array_equal(stats["diverging"].values, groups["sample_stats"]["divergent__"] == 1)
    np.testing.assert_array_equal(stats["n_steps"].values, groups["sample_stats"]["n_leapfrog__"])


@pytest.mark.parametrize("column, expected", [
    ("lp__", "lp"), ("accept_stat__", "acceptance_rate"), ("stepsize__", "step_size"),
    ("treedepth__", "tree_depth"), ("n_leapfrog__", "n_steps"), ("divergent__", "diverging"),
    ("energy__", "energy"), ("accept__", "accept"), ("accepted__", "accepted"),
    ("scaling__", "scaling"), ("nstep_out__", "nstep_out"), ("nstep_in__", "nstep_in"),
    ("tune", "tune"), ("accept_s__", "accept_s"), ("diverging", "diverging"), ("lp", "lp"),
    ("__", "__"),
])
def test_stats_name(column, expected):
    assert idm.stats_name(column) == expected


def test_sample_stats_that_cannot_take_their_dtype_are_refused():
    with pytest.raises(ValueError, match="divergent__.*bool"):
        make({"sample_stats": {"divergent__": np.full((1, 3), 0.5)}})
    with pytest.raises(ValueError, match="treedepth__.*int64"):
        make({"sample_stats": {"treedepth__": np.full((1, 3), 2.5)}})
    with pytest.raises(ValueError, match="'lp__' and 'lp'"):
        make({"sample_stats": {"lp__": np.zeros((1, 3)), "lp": np.zeros((1, 3))}})


def test_observed_and_constant_data_have_no_sample_dims(groups):
    idata = make(groups)
    assert idata.observed_data["y"].dims == ("school",)
    assert list(idata.observed_data["school"].values) == SCHOOLS
    np.testing.assert_array_equal(idata.observed_data["y"].values, groups["observed_data"]["y"])
    assert idata.constant_data["sigma"].dims == ("school",)
    assert idata.constant_data["J"].dims == ()
    assert int(idata.constant_data["J"]) == 8
    for name in ("observed_data", "constant_data"):
        assert "chain" not in idata[name].dims and "draw" not in idata[name].dims


def test_attrs_on_every_group(groups):
    idata = make(groups, attrs={"inference_library_version": "0.3.1", "sampling_time": 1.5})
    created = {idata[g].attrs["created_at"] for g in idata}
    assert len(created) == 1  # one timestamp for the whole result
    stamp = created.pop()
    assert stamp.endswith("+00:00") and "T" in stamp
    for g in idata:
        attrs = idata[g].attrs
        assert attrs["inference_library"] == "stochos"
        assert attrs["inference_library_version"] == "0.3.1"
        assert attrs["sampling_time"] == 1.5
        assert "arviz_version" not in attrs
    assert make(groups).posterior.attrs["inference_library_version"] == "unknown"


def test_empty_groups_are_left_out(groups):
    groups["log_likelihood"] = {}
    assert "log_likelihood" not in make(groups)


def test_a_dataset_value_is_used_as_given(groups):
    ds = xr.Dataset({"a": (("chain", "draw"), np.zeros((1, 2)))})
    groups["prior"] = ds
    assert make(groups).prior is ds


# --- errors: one line, naming the variable and the dim ---------------------------------

def _one_line_error(groups, **kwargs):
    """Our message (xarray's own, for some of these, names things too but not the group)."""
    with pytest.raises(ValueError, match=r"^group 'posterior': variable '\w+'") as info:
        make(groups, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_chains_differing_between_variables(rng):
    message = _one_line_error({"posterior": {"a": rng.normal(size=(4, 10)), "b": rng.normal(size=(3, 10))}})
    assert "'b'" in message and "'chain'" in message and "'a'" in message


def test_draws_differing_between_variables(rng):
    message = _one_line_error({"posterior": {"a": rng.normal(size=(4, 10)), "b": rng.normal(size=(4, 9, 2))}})
    assert "'b'" in message and "'draw'" in message


def test_dims_longer_than_rank(rng):
    message = _one_line_error({"posterior": {"theta": rng.normal(size=(4, 10, 8))}},
                              dims={"theta": ["school", "extra"]})
    assert "'theta'" in message and "'extra'" in message


def test_coords_length_differs_from_dim(rng):
    message = _one_line_error({"posterior": {"theta": rng.normal(size=(4, 10, 8))}},
                              coords={"school": SCHOOLS[:7]})
    assert "'theta'" in message and "'school'" in message and "7" in message and "8" in message


def test_shared_dim_with_two_lengths(rng):
    message = _one_line_error({"posterior": {"a": rng.normal(size=(4, 10, 8)), "b": rng.normal(size=(4, 10, 3))}},
                              dims={"a": ["school"], "b": ["school"]}, coords={})
    assert "'b'" in message and "'school'" in message


def test_sampled_variable_without_chain_draw(rng):
    message = _one_line_error({"posterior": {"mu": rng.normal(size=(4,))}})
    assert "'mu'" in message and "'draw'" in message


def test_sample_dims_must_not_be_declared(rng):
    message = _one_line_error({"posterior": {"mu": rng.normal(size=(4, 10, 2))}}, dims={"mu": ["chain"]})
    assert "'mu'" in message and "'chain'" in message and "implied" in message


def test_dim_repeated_within_a_variable(rng):
    message = _one_line_error({"posterior": {"S": rng.normal(size=(4, 10, 3, 3))}}, dims={"S": ["row", "row"]})
    assert "'S'" in message and "'row'" in message and "twice" in message


def test_bad_prefer_and_bad_groups():
    with pytest.raises(ValueError, match="prefer"):
        idm.to_inference_data({}, prefer="pandas")
    with pytest.raises(TypeError):
        idm.to_inference_data({"posterior": [1, 2]}, prefer="stochos")


# --- the InferenceData object ---------------------------------------------------------

def test_groups_order_contains_getitem_iter(groups):
    groups = {name: groups[name] for name in ("constant_data", "observed_data", "sample_stats", "posterior")}
    idata = make(groups)
    assert idata.groups() == ["posterior", "sample_stats", "observed_data", "constant_data"]
    assert list(idata) == idata.groups()
    assert "posterior" in idata and "prior" not in idata
    assert idata["posterior"] is idata.posterior
    with pytest.raises(KeyError, match="prior"):
        idata["prior"]
    with pytest.raises(AttributeError):
        idata.prior
    assert [name for name, _ in idata.items()] == idata.groups()


def test_default_group_order_constant():
    order = idm.DEFAULT_GROUP_ORDER
    assert order[:5] == ("posterior", "posterior_predictive", "predictions", "log_likelihood", "sample_stats")
    assert order.index("prior") < order.index("sample_stats_prior") < order.index("warmup_posterior")
    assert order.index("observed_data") < order.index("constant_data") < order.index("warmup_sample_stats")
    assert len(set(order)) == len(order)


def test_repr_names_groups_dims_and_variables(groups):
    text = repr(make(groups))
    for name in ("posterior", "sample_stats", "observed_data", "constant_data", "theta", "diverging"):
        assert name in text
    assert "chain: 4" in text and "school: 8" in text
    assert "posterior" in make(groups)._repr_html_()


def test_add_groups_from_dicts_and_datasets(groups, rng):
    idata = make({"posterior": groups["posterior"]}, dims={"theta": ["school"]},
                 attrs={"inference_library_version": "0.3.1"})
    idata.add_groups(
        {"posterior_predictive": {"y": rng.normal(size=(CHAINS, DRAWS, 8))},
         "observed_data": {"y": groups["observed_data"]["y"]}},
        coords={"school": SCHOOLS}, dims={"y": ["school"]},
    )
    idata.add_groups(prior=xr.Dataset({"mu": (("chain", "draw"), np.zeros((1, 5)))}))
    assert idata.groups() == ["posterior", "posterior_predictive", "prior", "observed_data"]
    assert idata.posterior_predictive["y"].dims == ("chain", "draw", "school")
    assert idata.observed_data["y"].dims == ("school",)
    assert idata.observed_data.attrs["inference_library_version"] == "0.3.1"
    with pytest.raises(ValueError, match="'posterior' already exists"):
        idata.add_groups({"posterior": groups["posterior"]})


def test_extend_adds_only_missing_groups_unless_join_right(groups):
    left = make({"posterior": groups["posterior"], "observed_data": groups["observed_data"]})
    right = make({"posterior": {"other": np.zeros((1, 2))}, "sample_stats": groups["sample_stats"]})
    left.extend(right)
    assert left.groups() == ["posterior", "sample_stats", "observed_data"]
    assert "theta" in left.posterior and "other" not in left.posterior
    assert left.sample_stats is right.sample_stats
    left.extend(right, join="right")
    assert "other" in left.posterior
    with pytest.raises(TypeError):
        left.extend({"prior": {}})


def test_copy_and_pickle(groups):
    import copy
    import pickle

    idata = make(groups)
    for clone in (copy.deepcopy(idata), pickle.loads(pickle.dumps(idata))):
        assert clone.groups() == idata.groups()
        np.testing.assert_array_equal(clone.posterior["theta"].values, idata.posterior["theta"].values)


def test_constructor_takes_datasets_only():
    with pytest.raises(TypeError, match="posterior"):
        idm.InferenceData(posterior={"a": np.zeros((1, 2))})
    assert idm.InferenceData(posterior=xr.Dataset()).groups() == []


# --- NetCDF -----------------------------------------------------------------------------

def assert_same_groups(a, b):
    assert a.groups() == b.groups()
    for name in a.groups():
        x, y = a[name], b[name]
        assert set(x.data_vars) == set(y.data_vars), name
        assert dict(x.sizes) == dict(y.sizes), name
        assert x.attrs == y.attrs, name
        for var in x.data_vars:
            assert x[var].dims == y[var].dims, (name, var)
            assert x[var].dtype == y[var].dtype, (name, var)
            np.testing.assert_array_equal(x[var].values, y[var].values)
        for dim in x.coords:
            assert list(x[dim].values) == list(y[dim].values), (name, dim)


@pytest.mark.parametrize("compress", [True, False])
def test_netcdf_round_trip(groups, tmp_path, compress):
    idata = make(groups, attrs={"inference_library_version": "0.3.1"})
    path = tmp_path / "eight.nc"
    assert idata.to_netcdf(path, compress=compress) == path
    back = idm.from_netcdf(path)
    assert isinstance(back, idm.InferenceData)
    assert_same_groups(idata, back)
    assert back.sample_stats["diverging"].dtype == bool
    assert back.sample_stats["tree_depth"].dtype == np.int64
    assert back.posterior["theta"].sel(school="St. Paul's").shape == (CHAINS, DRAWS)
    assert back.posterior.attrs["created_at"] == idata.posterior.attrs["created_at"]


def test_netcdf_layout_is_one_group_per_group(groups, tmp_path):
    idata = make(groups)
    path = str(tmp_path / "eight.nc")
    idata.to_netcdf(path)
    with netCDF4.Dataset(path) as root:
        assert list(root.groups.keys()) == idata.groups()
        assert not root.variables  # everything lives in the groups
        for name in ("posterior", "sample_stats"):
            group = root.groups[name]
            for var in idata[name].data_vars:
                assert group.variables[var].dimensions[:2] == ("chain", "draw"), (name, var)
        assert root.groups["observed_data"].variables["y"].dimensions == ("school",)
        assert root.groups["posterior"].variables["theta"].filters()["zlib"]
        for var in ("diverging", "tree_depth", "lp"):  # bool and int are compressed too
            assert root.groups["sample_stats"].variables[var].filters()["zlib"], var
        assert root.groups["posterior"].getncattr("inference_library") == "stochos"


def test_netcdf_subset_of_groups_and_rewrite_after_reading(groups, tmp_path):
    path = tmp_path / "eight.nc"
    make(groups).to_netcdf(path, groups=["posterior", "observed_data"])
    back = idm.InferenceData.from_netcdf(path)
    assert back.groups() == ["posterior", "observed_data"]
    # the file was closed: it can be overwritten in place, with data subset after reading
    thinned = idm.InferenceData(posterior=back.posterior.isel(draw=slice(None, None, 10), school=[0, 1]))
    thinned.to_netcdf(path)
    again = idm.from_netcdf(path)
    assert again.groups() == ["posterior"]
    assert again.posterior.sizes["draw"] == DRAWS // 10
    assert list(again.posterior["school"].values) == SCHOOLS[:2]
    path.unlink()
    with pytest.raises(ValueError, match="prior"):
        back.to_netcdf(path, groups=["prior"])


def test_compress_false_after_reading_a_compressed_file(groups, tmp_path):
    """What the file read was stored with does not carry over: compress alone decides."""
    first, second = tmp_path / "zlib.nc", tmp_path / "plain.nc"
    make(groups).to_netcdf(first, compress=True)
    idm.from_netcdf(first).to_netcdf(second, compress=False)
    with netCDF4.Dataset(second) as root:
        assert not root.groups["posterior"].variables["theta"].filters()["zlib"]
    with netCDF4.Dataset(first) as root:
        assert root.groups["posterior"].variables["theta"].filters()["zlib"]
        for var in ("diverging", "tree_depth", "lp"):  # bool and int are compressed too
            assert root.groups["sample_stats"].variables[var].filters()["zlib"], var


def test_netcdf_empty(tmp_path):
    path = tmp_path / "empty.nc"
    idm.InferenceData().to_netcdf(path)
    assert idm.from_netcdf(path).groups() == []


# --- which object comes back -------------------------------------------------------------

class FakeDataTree:
    """Stands in for xarray.DataTree, recording what from_dict was given."""

    @classmethod
    def from_dict(cls, mapping):
        tree = cls()
        tree.mapping = mapping
        return tree


def test_datatree_preferred_when_xarray_has_it(groups, monkeypatch):
    monkeypatch.setattr(xr, "DataTree", FakeDataTree, raising=False)
    groups["log_likelihood"] = {}  # empty: left out, as ArviZ does
    for prefer in (None, "datatree"):
        tree = make(groups, prefer=prefer)
        assert isinstance(tree, FakeDataTree)
        assert list(tree.mapping) == ["posterior", "sample_stats", "observed_data", "constant_data"]
        assert tree.mapping["posterior"]["theta"].dims == ("chain", "draw", "school")
        assert tree.mapping["sample_stats"]["diverging"].dtype == bool


def test_datatree_on_this_xarray(groups, tmp_path, monkeypatch):
    if hasattr(xr, "DataTree"):  # newer xarray: the real thing, written and read back
        tree = make(groups, prefer="datatree")
        assert isinstance(tree, xr.DataTree)
        assert tree["posterior"]["theta"].dims == ("chain", "draw", "school")
        path = tmp_path / "tree.nc"
        tree.to_netcdf(path)
        back = idm.from_netcdf(path)
        assert back.groups() == ["posterior", "sample_stats", "observed_data", "constant_data"]
        assert back.sample_stats["diverging"].dtype == bool
    else:
        with pytest.raises(ImportError, match="DataTree.*2024.10"):
            make(groups, prefer="datatree")


def test_arviz_when_installed_without_datatree(groups, monkeypatch):
    made = {}

    class FakeInferenceData:
        def __init__(self, **datasets):
            made.update(datasets)

    fake = types.ModuleType("arviz")
    fake.InferenceData = FakeInferenceData
    monkeypatch.delattr(xr, "DataTree", raising=False)
    monkeypatch.setitem(sys.modules, "arviz", fake)
    for prefer in (None, "arviz"):
        made.clear()
        assert isinstance(make(groups, prefer=prefer), FakeInferenceData)
        assert list(made) == ["posterior", "sample_stats", "observed_data", "constant_data"]


def test_fallback_and_missing_arviz(groups, monkeypatch):
    monkeypatch.delattr(xr, "DataTree", raising=False)
    monkeypatch.setitem(sys.modules, "arviz", None)  # makes `import arviz` fail
    assert isinstance(make(groups, prefer=None), idm.InferenceData)
    with pytest.raises(ImportError, match="ArviZ"):
        make(groups, prefer="arviz")


def test_module_imports_only_what_it_should():
    source = _PATH.read_text()
    imported = {line.split()[1].split(".")[0] for line in source.splitlines()
                if line.startswith(("import ", "from ")) or line.strip().startswith("import ")}
    assert imported <= {"datetime", "html", "importlib", "os", "collections", "numpy", "xarray", "netCDF4"}
