// Independent jobs (chains, paths, batches of ELBO draws) on a fixed number of threads. Which
// thread runs a job never changes its result: every job owns its random stream.
#pragma once

#include <functional>

namespace stochos::infer {

// The threads to use for `jobs` jobs when the user asked for `cores` (0: the hardware's).
int thread_count(int jobs, int cores);

// Runs job(0) ... job(jobs - 1) on `threads` threads (the caller's among them) and returns when
// all are done. An exception thrown by a job is rethrown here (the lowest-numbered job's) after
// every job has finished.
void run_parallel(int jobs, int threads, const std::function<void(int job)>& job);

}  // namespace stochos::infer
