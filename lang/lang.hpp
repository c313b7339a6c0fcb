// The .stoch language (SPEC.md §1.1): parse a model file, then build it onto the C++ model API
// with its data. Every error is an InputError of one line, "file:line:col: error: ...".
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "io/data.hpp"
#include "lang/ast.hpp"
#include "model/model.hpp"

namespace stochos::lang {

Program parse(std::string_view source, const std::string& filename);
Program parse_file(const std::string& path);

// A model built on one shard of its data (mpi/shard.hpp): the data declared with `dim` as their
// first dimension hold only this shard's rows, and become data containers (graph inputs, so
// that the sharding analysis, model/sharding.hpp, can follow them); `dim` itself may size
// data declarations only, since its value is this shard's row count.
struct ShardOptions {
  std::string dim;  // empty: no sharding
};

// The model the program describes, with `data` for its data declarations (checked against them).
std::unique_ptr<model::Model> build(const Program& program, const io::DataSet& data,
                                    graph::DType floatx = graph::DType::f64,
                                    const ShardOptions& shard = {});

// The data the program declares with `dim` as their first dimension (`data y: real[N]`).
std::vector<std::string> data_sharded_by(const Program& program, const std::string& dim);
// The name of a sharded data's container in the model ("y (shard)").
std::string shard_container_name(const std::string& data_name);
// The graph inputs of those containers in a model built with ShardOptions (for
// model::compile_share), in the order of `arrays`.
std::vector<graph::NodeId> shard_inputs(const model::Model& m,
                                        const std::vector<std::string>& arrays);

// What a program declares, for tools that list a model's inputs and outputs (the CLI).
struct DataDeclaration {
  std::string name;
  std::string type;               // "int" or "real"
  std::vector<std::string> dims;  // as written: "J", "3", "N - 1"
  Loc loc;
};
std::vector<DataDeclaration> data_declarations(const Program& program);
// The names of `NAME = expr` statements (recorded in the trace), in order.
std::vector<std::string> deterministic_names(const Program& program);
// The names of `NAME ~ Dist(...)` statements, in order, free and observed alike.
std::vector<std::string> random_variable_names(const Program& program);

// "file:line:col: error: what".
std::string located(const std::string& file, Loc loc, const std::string& what);

}  // namespace stochos::lang
