# One rstan run for bench/ess_vs_stan.py: 4 chains x 1000 draws after 1000 warm-up, one chain
# after another on one core, seed 1.
#
#   Rscript bench/stan_fit.R MODEL.stan DATA.json ADAPT_DELTA OUT.json
#
# Writes the sampler's own warm-up + sampling seconds summed over chains (get_elapsed_time: not
# the compilation, not R's start-up), the leapfrog steps over every iteration, warm-up included
# (the gradient evaluations), and the smallest bulk ESS over the parameters (posterior::ess_bulk).
# Needs rstan, posterior and jsonlite: `scripts/install-deps --stan`.
suppressMessages({
  library(rstan)
  library(posterior)
  library(jsonlite)
})
rstan_options(auto_write = FALSE)
args <- commandArgs(trailingOnly = TRUE)
code <- paste(readLines(args[1]), collapse = "\n")
data <- fromJSON(args[2], simplifyVector = TRUE)
model <- stan_model(model_code = code)
fit <- sampling(model, data = data, chains = 4, iter = 2000, warmup = 1000, cores = 1, seed = 1,
                refresh = 0, control = list(adapt_delta = as.numeric(args[3])))
params <- get_sampler_params(fit, inc_warmup = TRUE)
leapfrogs <- sum(sapply(params, function(p) sum(p[, "n_leapfrog__"])))
draws <- as_draws_array(fit)
vars <- setdiff(variables(draws), "lp__")
ess <- sapply(vars, function(v) ess_bulk(extract_variable_matrix(draws, v)))
write_json(list(seconds = sum(get_elapsed_time(fit)), grad_evals = leapfrogs,
                min_ess_bulk = min(ess, na.rm = TRUE),
                divergences = sum(sapply(params, function(p) sum(p[1001:2000, "divergent__"])))),
           args[4], auto_unbox = TRUE, digits = NA)
