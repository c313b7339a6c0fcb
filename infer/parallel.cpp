#include "infer/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>
#include <vector>

namespace stochos::infer {

int thread_count(int jobs, int cores) {
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::max(1, std::min(jobs, cores > 0 ? cores : hw));
}

void run_parallel(int jobs, int threads, const std::function<void(int job)>& job) {
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(std::max(jobs, 0)));
  std::atomic<int> next{0};
  auto worker = [&] {
    for (int j = next++; j < jobs; j = next++) {
      try {
        job(j);
      } catch (...) {
        errors[static_cast<std::size_t>(j)] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace stochos::infer
