// A sharded likelihood (issue 16): the data containers whose leading axis is the observations are
// split into contiguous row slices, one per rank; each rank builds the same model on its slice
// and computes shard_logp, and the ranks' values (and gradients) summed are the whole log density.
// plan_sharding checks, over the graph, that this sum is exact (Note [sharded density] in
// model/sharding.cpp); the communication is the caller's.
#pragma once

#include <string>
#include <vector>

#include "model/model.hpp"

namespace stochos::model {

struct ShardPlan {
  // parts[k][j]: part j of term k (Model::term_parts order) reads sharded data, row-aligned, and
  // every rank computes it on its rows; the other parts are the lead rank's alone.
  std::vector<std::vector<bool>> parts;
  std::vector<std::string> sharded_terms;  // the terms with at least one sharded part
};

// Which parts of the log density read the rows (axis 0) of `sharded`, the graph inputs of data
// containers of one length on axis 0. InputError when one of them is not a data container, or
// when a part reads them but its sum over the rows does not split into per-shard sums: "sharding
// x, y by rows would change the density: term 'mu' mixes rows (sum over every axis of x [50])".
ShardPlan plan_sharding(const Model& m, const std::vector<graph::NodeId>& sharded,
                        bool jacobian = true);

// The log density one rank computes, a scalar of the model's graph (Model::compile_density
// compiles it): on the lead rank every part (the sharded ones on its rows), on the others the
// sharded parts only. Summed over a group's ranks, with one lead: the whole model's log density.
// On a model of all the rows, the lead's is logp(jacobian) itself. `plan` comes from
// plan_sharding(m, ..., jacobian).
graph::Tensor shard_logp(const Model& m, const ShardPlan& plan, bool lead, bool jacobian = true);

// The rank's share compiled (with o.jacobian): plan_sharding, shard_logp, Model::compile_density.
LogDensity compile_share(const Model& m, const std::vector<graph::NodeId>& sharded, bool lead,
                         const CompileOptions& o = {});

}  // namespace stochos::model
