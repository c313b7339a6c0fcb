# Bulk ESS per second, Stochos against Stan, on the same machine in one go.
#
#   Rscript bench/ess_vs_stan.R STOCHOS POSTERIOR_DIR NAME...
#
# For each NAME (NAME.stan, NAME.stoch and NAME.data.json in POSTERIOR_DIR): rstan samples
# 4 chains x 1000 draws after 1000 warm-up, one chain after another; then `stochos sample` does
# the same on one core. Each run's time is the sum over chains of its warm-up and sampling time
# as the sampler itself reports it (get_elapsed_time for Stan; the summary JSON's seconds for
# Stochos) — neither Stan's compilation nor R's or the CLI's start-up counts. Its ESS is the
# smallest bulk ESS over the variables (posterior::ess_bulk for Stan, the same algorithm in
# Stochos). Needs r-cran-rstan, r-cran-posterior, r-cran-jsonlite; rstan finds
# Boost once BH/include links to /usr/include (see docs/performance.md).
suppressMessages({
  library(rstan)
  library(posterior)
  library(jsonlite)
})
rstan_options(auto_write = FALSE)
args <- commandArgs(trailingOnly = TRUE)
stochos <- args[1]
dir <- args[2]
cores <- 1
for (name in args[-(1:2)]) {
  base <- file.path(dir, name)
  data <- fromJSON(paste0(base, ".data.json"))
  code <- paste(readLines(paste0(base, ".stan")), collapse = "\n")
  # Index arrays are 0-based in the data and the .stoch model; Stan declares them
  # int<lower=1>: shift those by one for Stan.
  for (key in names(data))
    if (grepl(paste0("int<lower=1>\\s*", key, "\\s*\\["), code)) data[[key]] <- data[[key]] + 1
  model <- stan_model(model_code = code, model_name = name)
  fit <- sampling(model, data = data, chains = 4, iter = 2000, warmup = 1000, cores = cores,
                  seed = 1, refresh = 0)
  stan_secs <- sum(get_elapsed_time(fit))
  draws <- as_draws_array(fit)
  vars <- setdiff(variables(draws), "lp__")
  stan_ess <- sapply(vars, function(v) ess_bulk(extract_variable_matrix(draws, v)))
  out <- tempfile(fileext = ".json")
  system2(stochos, c("sample", paste0(base, ".stoch"), "--data", paste0(base, ".data.json"),
                     "--chains", "4", "--draws", "1000", "--tune", "1000", "--seed", "1",
                     "--cores", cores, "--no-progress", "--summary-json", out), stdout = FALSE)
  summary <- fromJSON(out)
  ours_secs <- sum(summary$sampler$seconds$tune) + sum(summary$sampler$seconds$sample)
  ours <- summary$variables
  ours_ess <- min(ours$ess_bulk, na.rm = TRUE)
  stan_min <- min(stan_ess, na.rm = TRUE)
  cat(sprintf("%-32s stan %.2f s min ESS %.0f (%.0f/s) | stochos %.2f s min ESS %.0f (%.0f/s) | ratio %.2f\n",
              name, stan_secs, stan_min, stan_min / stan_secs, ours_secs, ours_ess,
              ours_ess / ours_secs, (ours_ess / ours_secs) / (stan_min / stan_secs)))
}
