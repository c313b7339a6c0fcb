#include "cli/progress.hpp"

#include <string>

namespace stochos::cli {

namespace {

std::string clock(double s) {
  const long t = static_cast<long>(s + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  return buf;
}

}  // namespace

Progress::Progress(int chains, int tune, int draws, std::FILE* stream, bool terminal)
    : tune_(tune),
      total_(tune + draws),
      out_(stream),
      terminal_(terminal),
      chains_(static_cast<std::size_t>(chains)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

std::string Progress::line(int c) const {
  const Chain& ch = chains_[static_cast<std::size_t>(c)];
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? ch.iteration / elapsed : 0;
  const double remaining = rate > 0 ? (total_ - ch.iteration) / rate : 0;
  const int width = 24;
  const int filled = total_ > 0 ? width * ch.iteration / total_ : width;
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar += std::string(static_cast<std::size_t>(width - filled), '-');
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "chain %d [%s] %5d/%d %-8s %7.0f draws/s  %d divergent  %s elapsed  %s left", c + 1,
                bar.c_str(), ch.iteration, total_, ch.iteration <= tune_ ? "warm-up" : "sampling",
                rate, ch.divergences, clock(elapsed).c_str(), clock(remaining).c_str());
  return buf;
}

void Progress::draw_all() {
  if (drawn_) std::fprintf(out_, "\x1b[%zuA", chains_.size());  // back to the first bar
  for (int c = 0; c < static_cast<int>(chains_.size()); ++c)
    std::fprintf(out_, "\r\x1b[2K%s\n", line(c).c_str());
  std::fflush(out_);
  drawn_ = true;
}

void Progress::update(int chain, int iteration, int divergences) {
  std::lock_guard<std::mutex> lock(mu_);
  Chain& ch = chains_[static_cast<std::size_t>(chain)];
  ch.iteration = iteration;
  ch.divergences = divergences;
  if (terminal_) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_draw_ > std::chrono::milliseconds(100) || iteration == total_) {
      last_draw_ = now;
      draw_all();
    }
    return;
  }
  const int tenth = total_ > 0 ? 10 * iteration / total_ : 10;
  if (tenth != ch.last_reported_tenth && (tenth > 0 || iteration == 1)) {
    ch.last_reported_tenth = tenth;
    std::fprintf(out_, "%s\n", line(chain).c_str());
    std::fflush(out_);
  }
}

void Progress::finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (terminal_) draw_all();
}

}  // namespace stochos::cli
