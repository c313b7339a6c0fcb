// Progress of the chains while they sample: on a terminal one bar per chain, redrawn in place
// (draws/s, divergences, elapsed and remaining time); otherwise a plain line per chain at every
// tenth of the run. Called from the chains' threads.
#pragma once

#include <chrono>
#include <cstdio>
#include <mutex>
#include <vector>

namespace stochos::cli {

class Progress {
 public:
  Progress(int chains, int tune, int draws, std::FILE* stream, bool terminal);
  void update(int chain, int iteration, int divergences);
  void finish();

 private:
  struct Chain {
    int iteration = 0, divergences = 0, last_reported_tenth = -1;
  };
  void draw_all();
  std::string line(int c) const;

  int tune_, total_;
  std::FILE* out_;
  bool terminal_;
  std::mutex mu_;
  std::vector<Chain> chains_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool drawn_ = false;
};

}  // namespace stochos::cli
