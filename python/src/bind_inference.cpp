// Inference for the Python layer: NUTS and compound steps on a thread of their own (so Python
// can show progress and stop them on Ctrl-C), MAP, ADVI, Pathfinder, predictive draws and the log
// density at a point. Draws come back as the constrained values of the free variables and the
// deterministics, one array per chain; the Python layer shapes them into InferenceData.
#include <atomic>
#include <exception>
#include <mutex>
#include <set>
#include <thread>

#include "backends/config.hpp"
#include "backends/registry.hpp"
#include "diagnostics/summary.hpp"
#include "graph/tensor.hpp"
#include "infer/advi.hpp"
#include "infer/compound.hpp"
#include "infer/draws_correlation.hpp"
#include "infer/kernel.hpp"
#include "infer/optimize.hpp"
#include "infer/pathfinder.hpp"
#include "infer/pathfinder_init.hpp"
#include "infer/sample.hpp"
#include "model/point.hpp"
#include "model/predictive.hpp"
#include "model/values.hpp"
#include "python/src/bindings.hpp"
#include "stochos/error.hpp"
#ifdef STOCHOS_WITH_MPI
#include "model/sharding.hpp"
#include "mpi/chains.hpp"
#include "mpi/shard.hpp"
#endif

namespace stochos::python {

namespace {

model::CompileOptions compile_options(const std::optional<std::string>& backend) {
  model::CompileOptions o;
  o.backend = backend;
  return o;
}

py::array_t<double> matrix_array(const Eigen::MatrixXd& x) {
  py::array_t<double> a({static_cast<py::ssize_t>(x.rows()), static_cast<py::ssize_t>(x.cols())});
  auto r = a.mutable_unchecked<2>();
  for (Eigen::Index i = 0; i < x.rows(); ++i)
    for (Eigen::Index j = 0; j < x.cols(); ++j) r(i, j) = x(i, j);
  return a;
}

py::array_t<double> vector_array(const Eigen::VectorXd& x) {
  py::array_t<double> a(static_cast<py::ssize_t>(x.size()));
  std::copy(x.data(), x.data() + x.size(), a.mutable_data());
  return a;
}

// The traced values (free variables constrained, deterministics) of every row of `draws`.
py::array_t<double> traced_values(const model::ValueFunction& values,
                                  const Eigen::MatrixXd& draws) {
  py::array_t<double> a(
      {static_cast<py::ssize_t>(draws.rows()), static_cast<py::ssize_t>(values.size())});
  double* out = a.mutable_data();
  const auto ws = values.make_workspace();
  Eigen::VectorXd row;
  for (Eigen::Index i = 0; i < draws.rows(); ++i) {
    row = draws.row(i).transpose();
    values(*ws, row.data(), out + i * values.size());
  }
  return a;
}

py::list variables_of(const model::ValueFunction& values) {
  py::list out;
  for (const auto& v : values.variables()) {
    py::tuple shape(v.shape.size());
    for (std::size_t i = 0; i < v.shape.size(); ++i) shape[i] = v.shape[i];
    out.append(py::make_tuple(v.name, shape, v.offset, v.deterministic));
  }
  return out;
}

// A Trace as Python sees it: per chain the traced values and the statistics, the method's
// figures and message.
py::dict trace_dict(const infer::Trace& trace, const model::ValueFunction& values,
                    const std::string& backend) {
  py::dict out;
  out["method"] = trace.method;
  out["stat_names"] = trace.stat_names;
  out["markov"] = trace.markov;
  out["variables"] = variables_of(values);
  out["backend"] = backend;
  py::list chains;
  for (const auto& c : trace.chains) {
    py::dict d;
    d["chain"] = c.chain;
    d["values"] = traced_values(values, c.draws);
    d["packed"] = matrix_array(c.draws);
    d["stats"] = matrix_array(c.stats);
    d["warmup_values"] = traced_values(values, c.warmup_draws);
    d["warmup_stats"] = matrix_array(c.warmup_stats);
    d["step_size"] = c.step_size;
    d["inverse_metric"] = vector_array(c.inverse_metric);
    d["warmup_seconds"] = c.warmup_seconds;
    d["sampling_seconds"] = c.sampling_seconds;
    d["gradient_evaluations"] = c.gradient_evaluations;
    d["interrupted"] = c.interrupted;
    d["started"] = c.started;
    chains.append(d);
  }
  out["chains"] = chains;
  py::dict figures;
  for (const auto& [k, v] : trace.figures) figures[py::str(k)] = v;
  out["figures"] = figures;
  out["message"] = trace.message;
  out["packed_point"] =
      trace.point.size() ? py::object(vector_array(trace.point)) : py::object(py::none());
  out["point"] = trace.point.size() ? py::object(traced_values(values, trace.point.transpose()))
                                    : py::object(py::none());
  return out;
}

// Compiles the density and the traced values, runs `method` on the density without the GIL, and
// returns its trace as Python sees it.
template <class Method>
py::dict run_method(const ModelPtr& h, const model::CompileOptions& copts, Method&& method) {
  const model::LogDensity density = h->model->compile(copts);
  const model::ValueFunction values = h->model->compile_values(copts);
  infer::Trace t;
  {
    py::gil_scoped_release release;
    t = method(density);
  }
  return trace_dict(t, values, density.backend_name());
}

#ifdef STOCHOS_WITH_MPI
// The MPI world when an MPI launcher started the interpreter (mpirun -np R python3 script.py),
// else null; MPI starts on first use and ends at exit.
const mpi::World* python_world() {
  static std::optional<mpi::World> world;
  static const bool started = [] {
    if (mpi::launched()) world.emplace();
    return true;
  }();
  (void)started;
  return world ? &*world : nullptr;
}
#endif

// pm.sample(shard_by=...): this rank's shard of the model, its sharded data containers.
struct ShardRequest {
  ModelPtr part;
  std::vector<graph::NodeId> inputs;
  int shards = 1;
};

struct SampleSettings {
  std::optional<ShardRequest> shard;
  infer::SampleOptions options;
  std::optional<std::string> backend;
  std::vector<std::pair<std::string, std::string>> steps;
  std::string init = "auto";
};

// One sampling run on a thread of its own. Python polls progress() and calls stop() on Ctrl-C;
// result() waits (without the GIL) and returns the draws made.
class SampleRun {
 public:
  SampleRun(ModelPtr m, SampleSettings s) : model_(std::move(m)), s_(std::move(s)) {
    const model::CompileOptions copts = compile_options(s_.backend);
    density_.emplace(model_->model->compile(copts));
    values_.emplace(model_->model->compile_values(copts));
    infer::SampleOptions& o = s_.options;
    o.compound = infer::plan_compound(*model_->model, s_.steps, o.sampler, copts);
    if (o.compound) describe_ = o.compound->describe();
    const int n = o.chains;
    iterations_ = std::vector<std::atomic<int>>(static_cast<std::size_t>(n));
    divergences_ = std::vector<std::atomic<int>>(static_cast<std::size_t>(n));
    o.stop = &stop_;
    o.progress = [this](int c, int it, int div) {
      iterations_[static_cast<std::size_t>(c)].store(it);
      divergences_[static_cast<std::size_t>(c)].store(div);
    };
#ifdef STOCHOS_WITH_MPI
    world_ = python_world();
    if (world_ || s_.shard) distribute(copts);
#else
    if (s_.shard) throw InputError("shard_by= needs MPI, which this build does not have");
#endif
    thread_ = std::thread([this] {
      try {
#ifdef STOCHOS_WITH_MPI
        if (world_) {
          infer::check_sample_options(*density_, s_.options);
          trace_ = mpi::sample_across_ranks(
              [this](int c) -> const model::LogDensity& {
                return sharded_ ? (*sharded_)(c) : *density_;
              },
              s_.options, *world_, place_);
          done_.store(true);
          return;
        }
#endif
        if (s_.init == "pathfinder") infer::init_from_pathfinder(*density_, s_.options);
        trace_ = infer::sample(*density_, s_.options);
      } catch (...) {
        error_ = std::current_exception();
      }
      done_.store(true);
    });
  }
  ~SampleRun() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  SampleRun(const SampleRun&) = delete;
  SampleRun& operator=(const SampleRun&) = delete;

  py::list progress() const {
    py::list out;
    for (std::size_t c = 0; c < iterations_.size(); ++c)
      out.append(py::make_tuple(iterations_[c].load(), divergences_[c].load()));
    return out;
  }
  void stop() {
    stop_.store(true);
  }
  bool done() const {
    return done_.load();
  }
  const std::string& compound() const {
    return describe_;
  }

  // The draws; None on the ranks other than 0 of an MPI run (rank 0 has every chain's).
  py::object result() {
    {
      py::gil_scoped_release release;
      if (thread_.joinable()) thread_.join();
    }
    if (error_) std::rethrow_exception(error_);
#ifdef STOCHOS_WITH_MPI
    if (world_ && world_->rank() != 0) return py::none();
#endif
    py::dict d = trace_dict(trace_, *values_, density_->backend_name());
    // Note [nutpie low-rank adaptation]: a diagonal metric on a strongly correlated posterior.
    d["correlation_warning"] = diagnostics::correlation_warning(
        infer::draws_correlation_condition(trace_, s_.options),
        "nuts_sampler=\"nutpie\", nuts_sampler_kwargs={\"low_rank_modified_mass_matrix\": True}");
    return d;
  }

 private:
  ModelPtr model_;
  SampleSettings s_;
  std::optional<model::LogDensity> density_;
  std::optional<model::ValueFunction> values_;
  std::string describe_;
  std::vector<std::atomic<int>> iterations_, divergences_;
  std::atomic<bool> stop_{false}, done_{false};
  infer::Trace trace_;
  std::exception_ptr error_;
#ifdef STOCHOS_WITH_MPI
  // Chains across ranks, and with shard_by= this rank's share summed over its chain group
  // (Note [chains across ranks], Note [sharded runs]).
  void distribute(const model::CompileOptions& copts) {
    infer::SampleOptions& o = s_.options;
    const int ranks = world_ ? world_->size() : 1;
    const int shards = s_.shard ? s_.shard->shards : 1;
    if (shards < 1 || ranks % shards != 0)
      throw InputError("shards=" + std::to_string(shards) + " does not divide the " +
                       std::to_string(ranks) + " ranks");
    if (!world_) throw InputError("shards=" + std::to_string(shards) + " needs mpirun");
    place_ = {.groups = ranks / shards, .shards = shards};
    if (o.chains < place_.groups)
      throw InputError("chains=" + std::to_string(o.chains) + " leaves some of the " +
                       std::to_string(place_.groups) + " chain groups without a chain");
    if (!s_.shard) return;
    if (o.compound || s_.init == "pathfinder")
      throw InputError(
          "shard_by=: discrete variables, step= and init='pathfinder' cannot be sharded yet");
    share_.emplace(model::compile_share(*s_.shard->part->model, s_.shard->inputs,
                                        place_.shard(world_->rank()) == 0, copts));
    sharded_ = std::make_unique<mpi::ShardedDensities>(*share_, *world_, place_, o.chains);
  }
  const mpi::World* world_ = nullptr;
  mpi::Placement place_;
  std::optional<model::LogDensity> share_;
  std::unique_ptr<mpi::ShardedDensities> sharded_;
#endif
  std::thread thread_;
};

std::optional<std::vector<double>> packed(const std::optional<py::array_t<double>>& a) {
  if (!a) return std::nullopt;
  return std::vector<double>(a->data(), a->data() + a->size());
}

}  // namespace

void bind_inference(py::module_& m) {
  py::class_<SampleRun>(m, "SampleRun")
      .def("progress", &SampleRun::progress)
      .def("stop", &SampleRun::stop)
      .def("done", &SampleRun::done)
      .def_property_readonly("compound", &SampleRun::compound)
      .def("result", &SampleRun::result);

  m.def(
      "start_sampling",
      [](const ModelPtr& h, int draws, int tune, int chains, int cores, std::uint64_t seed,
         double target_accept, int max_depth, const std::string& sampler, const std::string& metric,
         const std::string& init, std::optional<py::array_t<double>> start, double init_radius,
         const std::vector<std::pair<std::string, std::string>>& steps,
         std::optional<std::string> backend, bool keep_warmup, std::optional<ModelPtr> shard_part,
         const std::vector<std::uint32_t>& shard_inputs, int shards, const std::string& adapt) {
        SampleSettings s;
        s.options.adapt = adapt;
        if (shard_part)
          s.shard = ShardRequest{*shard_part, {shard_inputs.begin(), shard_inputs.end()}, shards};
        infer::SampleOptions& o = s.options;
        if (draws < 0 || tune < 0) throw InputError("draws and tune must be >= 0");
        if (chains < 1) throw InputError("chains must be >= 1, got " + std::to_string(chains));
        if (!(target_accept > 0 && target_accept < 1))
          throw InputError("target_accept must be in (0, 1)");
        o.draws = draws;
        o.tune = tune;
        o.chains = chains;
        o.cores = cores;
        o.seed = seed;
        o.target_accept = target_accept;
        o.max_depth = max_depth;
        infer::kernel(sampler);  // an unknown name is an InputError listing the kernels
        o.sampler = sampler;
        o.metric = metric;  // "auto", "diag" or "dense" (Note [automatic metric])
        o.init = packed(start);
        o.init_radius = init_radius;
        o.keep_warmup = keep_warmup;
        s.backend = std::move(backend);
        s.steps = steps;
        s.init = init;
        return std::make_unique<SampleRun>(h, std::move(s));
      },
      py::arg("model"), py::arg("draws"), py::arg("tune"), py::arg("chains"), py::arg("cores"),
      py::arg("seed"), py::arg("target_accept"), py::arg("max_depth"), py::arg("sampler"),
      py::arg("metric"), py::arg("init"), py::arg("start"), py::arg("init_radius"),
      py::arg("steps"), py::arg("backend"), py::arg("keep_warmup"),
      py::arg("shard_part") = py::none(), py::arg("shard_inputs") = std::vector<std::uint32_t>{},
      py::arg("shards") = 1, py::arg("adapt") = "stan");

  // {"rank": r, "size": R} when an MPI launcher started this interpreter, else None.
  m.def("mpi_world", []() -> py::object {
#ifdef STOCHOS_WITH_MPI
    if (const mpi::World* w = python_world()) {
      py::dict d;
      d["rank"] = w->rank();
      d["size"] = w->size();
      return py::object(std::move(d));
    }
#endif
    return py::none();
  });

  m.def(
      "find_map",
      [](const ModelPtr& h, std::uint64_t seed, std::optional<py::array_t<double>> start,
         int maxeval, bool jacobian, std::optional<std::string> backend) {
        model::CompileOptions copts = compile_options(backend);
        copts.jacobian = jacobian;
        infer::OptimizeOptions o;
        o.seed = seed;
        o.init = packed(start);
        o.jacobian = jacobian;
        o.lbfgs.max_iterations = maxeval;
        return run_method(h, copts,
                          [&](const model::LogDensity& d) { return infer::optimize(d, o); });
      },
      py::arg("model"), py::arg("seed"), py::arg("start"), py::arg("maxeval"), py::arg("jacobian"),
      py::arg("backend"));

  m.def(
      "advi",
      [](const ModelPtr& h, const std::string& method, int n, int draws, std::uint64_t seed,
         double tol_rel_obj, std::optional<py::array_t<double>> start,
         std::optional<std::string> backend) {
        infer::AdviOptions o;
        o.method = method;
        o.iter = n;
        o.output_samples = draws;
        o.seed = seed;
        o.tol_rel_obj = tol_rel_obj;
        o.init = packed(start);
        if (o.init) o.init_radius = 0;
        return run_method(h, compile_options(backend),
                          [&](const model::LogDensity& d) { return infer::advi(d, o); });
      },
      py::arg("model"), py::arg("method"), py::arg("n"), py::arg("draws"), py::arg("seed"),
      py::arg("tol_rel_obj"), py::arg("start"), py::arg("backend"));

  m.def(
      "pathfinder",
      [](const ModelPtr& h, int num_paths, int num_draws, std::uint64_t seed, int maxiter,
         std::optional<std::string> backend) {
        infer::PathfinderOptions o;
        o.num_paths = num_paths;
        o.num_draws = num_draws;
        o.num_psis_draws = num_draws;
        o.seed = seed;
        o.max_lbfgs_iters = maxiter;
        return run_method(h, compile_options(backend), [&](const model::LogDensity& d) {
          return infer::pathfinder(d, o).trace;
        });
      },
      py::arg("model"), py::arg("num_paths"), py::arg("num_draws"), py::arg("seed"),
      py::arg("maxiter"), py::arg("backend"));

  // Predictive draws: {name: (draws, size)} in output order, with their shapes.
  auto predictive_dict = [](const model::PredictiveDraws& p) {
    py::list out;
    const auto n = static_cast<py::ssize_t>(p.draws());
    for (const auto& v : p.variables) {
      const auto size = static_cast<py::ssize_t>(graph::numel(v.shape));
      py::array_t<double> a({n, size});
      auto r = a.mutable_unchecked<2>();
      for (py::ssize_t i = 0; i < n; ++i)
        for (py::ssize_t j = 0; j < size; ++j)
          r(i, j) = p.values[static_cast<std::size_t>(i * p.size + v.offset + j)];
      py::tuple shape(v.shape.size());
      for (std::size_t i = 0; i < v.shape.size(); ++i) shape[i] = v.shape[i];
      out.append(py::make_tuple(v.name, shape, a));
    }
    return out;
  };
  m.def("prior_predictive",
        [predictive_dict](const ModelPtr& h, std::int64_t draws, std::uint64_t seed) {
          if (draws < 1) throw InputError("draws must be >= 1");
          return predictive_dict(model::prior_predictive(*h->model, draws, seed));
        });
  // points: one (n, size) array per free variable, in declaration order.
  m.def("posterior_predictive",
        [predictive_dict](const ModelPtr& h, const std::vector<py::array_t<double>>& per_var,
                          std::uint64_t seed) {
          const auto& free = h->model->free_vars();
          if (per_var.size() != free.size())
            throw InputError("the posterior has " + std::to_string(per_var.size()) +
                             " free variables; the model has " + std::to_string(free.size()));
          const py::ssize_t n = per_var.empty() ? 0 : per_var[0].shape(0);
          std::vector<std::vector<std::vector<double>>> points(static_cast<std::size_t>(n));
          for (std::size_t k = 0; k < per_var.size(); ++k) {
            const auto a = per_var[k].unchecked<2>();
            if (a.shape(0) != n) throw InputError("the posterior's variables differ in draws");
            for (py::ssize_t i = 0; i < n; ++i) {
              std::vector<double> v(static_cast<std::size_t>(a.shape(1)));
              for (py::ssize_t j = 0; j < a.shape(1); ++j) v[static_cast<std::size_t>(j)] = a(i, j);
              points[static_cast<std::size_t>(i)].push_back(std::move(v));
            }
          }
          return predictive_dict(model::posterior_predictive(*h->model, points, seed));
        });

  // ArviZ's log_likelihood group: each observed variable's elementwise log density at every row
  // of `packed` (draws x dim), as (name, shape, array (draws, size)).
  m.def("log_likelihood",
        [](const ModelPtr& h,
           const py::array_t<double, py::array::c_style | py::array::forcecast>& packed,
           std::optional<std::string> backend) {
          const model::Model& mm = *h->model;
          std::set<std::string> observed;
          for (const auto& v : mm.observed_vars()) observed.insert(v.name);
          std::vector<std::pair<std::string, graph::Tensor>> outputs;
          for (const auto& term : mm.term_parts(/*jacobian=*/false, /*elementwise=*/true)) {
            if (!observed.count(term.name) || term.parts.empty()) continue;
            graph::Tensor total = term.parts[0];
            for (std::size_t k = 1; k < term.parts.size(); ++k)
              total = graph::add(total, term.parts[k]);
            outputs.emplace_back(term.name, total);
          }
          const model::ValueFunction f = mm.compile_outputs(outputs, compile_options(backend));
          if (packed.ndim() != 2 || packed.shape(1) != mm.layout().dim)
            throw InputError("log_likelihood: draws must be (n, " +
                             std::to_string(mm.layout().dim) + ")");
          const auto n = packed.shape(0);
          py::array_t<double> all({n, static_cast<py::ssize_t>(f.size())});
          {
            py::gil_scoped_release release;
            const auto ws = f.make_workspace();
            for (py::ssize_t i = 0; i < n; ++i)
              f(*ws, packed.data() + i * packed.shape(1), all.mutable_data() + i * f.size());
          }
          py::list out;
          for (const auto& v : f.variables()) {
            py::tuple shape(v.shape.size());
            for (std::size_t i = 0; i < v.shape.size(); ++i) shape[i] = v.shape[i];
            const auto size = static_cast<py::ssize_t>(graph::numel(v.shape));
            py::object part =
                all[py::make_tuple(py::slice(0, n, 1), py::slice(v.offset, v.offset + size, 1))];
            out.append(py::make_tuple(v.name, shape, part.attr("copy")()));
          }
          return out;
        });

  // The free variables' constrained values at a packed unconstrained point, in order.
  m.def("constrain", [](const ModelPtr& h, const std::vector<double>& packed) {
    const model::ValueFunction values = h->model->compile_values();
    if (static_cast<std::int64_t>(packed.size()) != h->model->layout().dim)
      throw InputError("constrain: the point has " + std::to_string(packed.size()) +
                       " values; the model has " + std::to_string(h->model->layout().dim));
    std::vector<double> out(static_cast<std::size_t>(values.size()));
    values(*values.make_workspace(), packed.data(), out.data());
    py::list result;
    for (const auto& v : values.variables()) {
      if (v.deterministic) continue;
      const auto first = out.begin() + v.offset;
      result.append(std::vector<double>(first, first + graph::numel(v.shape)));
    }
    return result;
  });

  // The packed unconstrained point of constrained values (one array per free variable, in order).
  m.def("unconstrain", [](const ModelPtr& h, const std::vector<std::vector<double>>& values) {
    const std::vector<double> theta = model::unconstrain(*h->model, values);
    return vector_array(
        Eigen::Map<const Eigen::VectorXd>(theta.data(), static_cast<Eigen::Index>(theta.size())));
  });
  // The log density, its terms and its gradient at a packed unconstrained point.
  m.def(
      "evaluate",
      [](const ModelPtr& h, const std::vector<double>& theta, bool jacobian,
         std::optional<std::string> backend) {
        const model::PointResult r =
            model::evaluate_point(*h->model, theta, jacobian, compile_options(backend));
        py::dict out;
        out["logp"] = r.logp;
        py::dict terms, grad;
        for (const auto& [k, v] : r.terms) terms[py::str(k)] = v;
        for (const auto& [k, v] : r.grad) grad[py::str(k)] = v;
        out["terms"] = terms;
        out["grad"] = grad;
        return out;
      },
      py::arg("model"), py::arg("theta"), py::arg("jacobian"), py::arg("backend"));

  m.def("backends", [] { return backends::backend_names(); });
  // The engine settings as the CLI resolves them (flag > env > file > default).
  m.def("config", [](std::optional<std::string> backend) {
    backends::ConfigOverrides flags;
    flags.backend = std::move(backend);
    const backends::Config c = backends::load_config(flags);
    py::dict out;
    out["backend"] = py::make_tuple(c.backend.value, c.backend.source);
    out["floatx"] = py::make_tuple(c.floatx.value, c.floatx.source);
    out["device"] = py::make_tuple(c.device.value, c.device.source);
    out["config_file"] = c.file;
    return out;
  });
}

}  // namespace stochos::python
