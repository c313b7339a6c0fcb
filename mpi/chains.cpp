#include "mpi/chains.hpp"

#include <mpi.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "infer/parallel.hpp"
#include "stochos/error.hpp"

namespace stochos::mpi {

std::vector<int> Placement::chains_of(int group, int chains) const {
  std::vector<int> out;
  for (int c = group; c < chains; c += groups) out.push_back(c);
  return out;
}

namespace {

// Message tags; every message is a vector of doubles whose first entry is the chain.
enum Tag : int { kDraw = 1, kProgress = 2, kAdapted = 3, kDone = 4 };

struct Message {
  int tag;
  std::vector<double> body;
};

// Events from the chain threads to the communicating thread.
class Outbox {
 public:
  void push(int tag, std::vector<double> body) {
    {
      std::lock_guard<std::mutex> lock(m_);
      q_.push_back({tag, std::move(body)});
    }
    cv_.notify_one();
  }
  // The next message, waiting up to `wait`; false when there is none.
  bool pop(Message& out, std::chrono::milliseconds wait) {
    std::unique_lock<std::mutex> lock(m_);
    if (!cv_.wait_for(lock, wait, [&] { return !q_.empty(); })) return false;
    out = std::move(q_.front());
    q_.pop_front();
    return true;
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<Message> q_;
};

// A chain's end: its adaptation, timings and counts (its draws came one message each).
std::vector<double> done_message(const infer::ChainTrace& r) {
  std::vector<double> b = {static_cast<double>(r.chain),
                           r.step_size,
                           r.warmup_seconds,
                           r.sampling_seconds,
                           static_cast<double>(r.gradient_evaluations),
                           r.interrupted ? 1.0 : 0.0,
                           r.started ? 1.0 : 0.0,
                           static_cast<double>(r.warmup_iterations)};
  b.insert(b.end(), r.inverse_metric.data(), r.inverse_metric.data() + r.inverse_metric.size());
  return b;
}

// Rows arriving one at a time, for a chain run elsewhere.
struct Rows {
  std::vector<double> draws, stats, warmup_draws, warmup_stats;
};

// Rows that arrived one after another, as a matrix.
Eigen::MatrixXd matrix(const std::vector<double>& flat, Eigen::Index cols) {
  const Eigen::Index rows = cols ? static_cast<Eigen::Index>(flat.size()) / cols : 0;
  return Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      flat.data(), rows, cols);
}

infer::ChainTrace finished_chain(const std::vector<double>& b, Rows& rows, Eigen::Index nstats,
                                 Eigen::Index dim) {
  infer::ChainTrace r;
  r.chain = static_cast<int>(b[0]);
  r.step_size = b[1];
  r.warmup_seconds = b[2];
  r.sampling_seconds = b[3];
  r.gradient_evaluations = static_cast<long>(b[4]);
  r.interrupted = b[5] != 0;
  r.started = b[6] != 0;
  r.warmup_iterations = static_cast<int>(b[7]);
  r.inverse_metric =
      Eigen::Map<const Eigen::VectorXd>(b.data() + 8, static_cast<Eigen::Index>(b.size() - 8));
  r.draws = matrix(rows.draws, dim);
  r.stats = matrix(rows.stats, nstats);
  r.warmup_draws = matrix(rows.warmup_draws, dim);
  r.warmup_stats = matrix(rows.warmup_stats, nstats);
  return r;
}

int exit_code(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const InputError&) {
    return 2;
  } catch (...) {
    return 1;
  }
}

std::string what(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "unknown error";
  }
}

}  // namespace

infer::Trace sample_across_ranks(
    const std::function<const model::LogDensity&(int chain)>& density_for,
    const infer::SampleOptions& o, const World& world, const Placement& place) {
  const int rank = world.rank();
  const bool root = rank == 0, lead = place.shard(rank) == 0;
  const std::vector<int> mine = place.chains_of(place.group(rank), o.chains);
  infer::Trace trace = infer::empty_trace(o);
  const auto nstats = static_cast<Eigen::Index>(trace.stat_names.size());
  const Eigen::Index dim = mine.empty() ? 0 : density_for(mine.front()).dim();

  // This rank's chains, on its threads. Rank 0 calls the callbacks itself; a group's other
  // shards run the same trajectories silently; the other leads post their events.
  Outbox outbox;
  infer::SampleOptions local = o;
  const bool post = lead && !root;
  if (post) {
    local.on_draw = [&](int c, bool warmup, const double* stats, const Eigen::VectorXd& q) {
      std::vector<double> b = {static_cast<double>(c), warmup ? 1.0 : 0.0};
      b.insert(b.end(), stats, stats + nstats);
      b.insert(b.end(), q.data(), q.data() + q.size());
      outbox.push(kDraw, std::move(b));
    };
    local.progress = [&](int c, int it, int div) {
      outbox.push(kProgress,
                  {static_cast<double>(c), static_cast<double>(it), static_cast<double>(div)});
    };
    local.on_adapted = [&](int c, double eps, const Eigen::VectorXd& inv) {
      std::vector<double> b = {static_cast<double>(c), eps};
      b.insert(b.end(), inv.data(), inv.data() + inv.size());
      outbox.push(kAdapted, std::move(b));
    };
  } else if (!root) {
    local.on_draw = nullptr;
    local.progress = nullptr;
    local.on_adapted = nullptr;
  }
  // Only the metric's diagonal travels to rank 0: every chain's CSV shows the diagonal.
  local.on_adapted_dense = nullptr;
  // The first chain that throws ends the job at once (the communicating thread aborts), not
  // after this rank's other chains.
  std::mutex failure_mutex;
  std::exception_ptr failure;
  std::atomic<bool> failed{false}, finished{false};
  std::thread worker([&] {
    infer::run_parallel(static_cast<int>(mine.size()),
                        infer::thread_count(static_cast<int>(mine.size()), o.cores), [&](int k) {
                          const int c = mine[static_cast<std::size_t>(k)];
                          try {
                            infer::ChainTrace r = infer::sample_chain(density_for(c), local, c);
                            if (post) outbox.push(kDone, done_message(r));
                            if (root) trace.chains[static_cast<std::size_t>(c)] = std::move(r);
                          } catch (...) {
                            std::lock_guard<std::mutex> lock(failure_mutex);
                            if (!failure) failure = std::current_exception();
                            failed.store(true);
                          }
                        });
    finished.store(true);
  });
  const auto check_failure = [&] {
    if (!failed.load()) return;
    std::lock_guard<std::mutex> lock(failure_mutex);
    world.abort(what(failure), exit_code(failure));
  };

  // The communicating thread: the only one that sends or receives the chains' events (a sharded
  // chain's own collectives run on its thread, on its own communicator). A lead sends what its
  // chains posted in batches (one MPI message of [tag, length, body]... per wake-up: a fast model
  // posts tens of thousands of draws a second); rank 0 unpacks them in order.
  int remote = 0;  // chains rank 0 waits for
  if (root)
    for (int g = 1; g < place.groups; ++g)
      remote += static_cast<int>(place.chains_of(g, o.chains).size());
  std::vector<Rows> rows(static_cast<std::size_t>(o.chains));
  const auto dispatch = [&](int tag, const double* b, std::size_t n) {
    const int c = static_cast<int>(b[0]);
    Rows& r = rows.at(static_cast<std::size_t>(c));
    switch (tag) {
      case kDraw: {
        const bool warmup = b[1] != 0;
        const double* stats = b + 2;
        const Eigen::VectorXd q = Eigen::Map<const Eigen::VectorXd>(stats + nstats, dim);
        std::vector<double>& st = warmup ? r.warmup_stats : r.stats;
        std::vector<double>& dr = warmup ? r.warmup_draws : r.draws;
        st.insert(st.end(), stats, stats + nstats);
        dr.insert(dr.end(), q.data(), q.data() + dim);
        if (o.on_draw) o.on_draw(c, warmup, stats, q);
        break;
      }
      case kProgress:
        if (o.progress) o.progress(c, static_cast<int>(b[1]), static_cast<int>(b[2]));
        break;
      case kAdapted:
        if (o.on_adapted)
          o.on_adapted(c, b[1],
                       Eigen::Map<const Eigen::VectorXd>(b + 2, static_cast<Eigen::Index>(n - 2)));
        break;
      case kDone:
        trace.chains[static_cast<std::size_t>(c)] =
            finished_chain(std::vector<double>(b, b + n), r, nstats, dim);
        --remote;
        break;
      default:
        break;
    }
  };
  // One round of this rank's part; each returns true when the part is over.
  Message msg;
  std::vector<double> batch;
  const auto send_round = [&] {  // a lead: what its chains posted, in one message
    const bool last = finished.load() && !failed.load();
    batch.clear();
    while (outbox.pop(msg, std::chrono::milliseconds(batch.empty() && !last ? 2 : 0))) {
      batch.push_back(msg.tag);
      batch.push_back(static_cast<double>(msg.body.size()));
      batch.insert(batch.end(), msg.body.begin(), msg.body.end());
      if (batch.size() > (1u << 20)) break;  // 8 MB a message at most
    }
    if (!batch.empty())
      MPI_Send(batch.data(), static_cast<int>(batch.size()), MPI_DOUBLE, 0, 0, MPI_COMM_WORLD);
    return last && batch.empty();
  };
  const auto receive_round = [&] {  // rank 0: whatever has come, as it comes
    int flag = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status);
    if (!flag) {
      if (remote == 0 && finished.load()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return false;
    }
    int count = 0;
    MPI_Get_count(&status, MPI_DOUBLE, &count);
    batch.resize(static_cast<std::size_t>(count));
    MPI_Recv(batch.data(), count, MPI_DOUBLE, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
    for (std::size_t at = 0; at + 2 <= batch.size();) {
      const auto n = static_cast<std::size_t>(batch[at + 1]);
      dispatch(static_cast<int>(batch[at]), batch.data() + at + 2, n);
      at += 2 + n;
    }
    return false;
  };
  const auto wait_round = [&] {  // a group's other shards: nothing to report
    if (finished.load()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return false;
  };
  while (true) {
    check_failure();
    if (post ? send_round() : root ? receive_round() : wait_round()) break;
  }
  check_failure();
  worker.join();
  check_failure();
  return trace;
}

}  // namespace stochos::mpi
