// `stochos graph MODEL [--data FILE] [--output FILE]`: the model as a Graphviz DOT digraph, as
// PyMC's model_to_graphviz draws it (model/model_graph.hpp). A .stoch variable has no dimension
// names, so plates are labelled by shape.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/model_file.hpp"
#include "cli/trace_output.hpp"
#include "model/model_graph.hpp"
#include "stochos/error.hpp"

namespace stochos::cli {
namespace {

struct GraphOptions {
  std::string model, data, output;
  bool overwrite = false;
};

int run_graph(const GraphOptions& o) {
  // Before the model is built, so a refused --output costs nothing.
  if (!o.output.empty()) refuse_overwrite(o.output, o.overwrite, "--output");
  const auto m = load_model(o.model, o.data);
  const std::string dot = model::model_to_dot(*m);
  if (o.output.empty()) {
    fmt::print("{}", dot);
    return 0;
  }
  std::ofstream f(o.output);
  f << dot;
  f.close();
  if (!f) throw RuntimeError("cannot write " + o.output);
  return 0;
}

}  // namespace

Command add_graph_command(CLI::App& app) {
  auto o = std::make_shared<GraphOptions>();
  CLI::App* sub = app.add_subcommand(
      "graph", "Draw the model as a Graphviz DOT digraph (PyMC's model_to_graphviz)");
  sub->add_option("model", o->model, "The model (.stoch)")->required()->check(CLI::ExistingFile);
  sub->add_option("--data", o->data, "Data JSON")->check(CLI::ExistingFile);
  sub->add_option("--output", o->output, "DOT file to write (default: stdout)");
  sub->add_flag("--overwrite", o->overwrite, "Replace an existing --output file");
  return {sub, [o] { return run_graph(*o); }};
}

}  // namespace stochos::cli
