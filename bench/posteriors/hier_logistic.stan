// The same model as hier_logistic.stoch (g is 1-based here; ess_vs_stan.py shifts it).
data {
  int<lower=0> N;
  int<lower=1> J;
  int<lower=1> K;
  int<lower=1> g[N];
  matrix[N, K] x;
  int<lower=0, upper=1> y[N];
}
parameters {
  real mu_a;
  real<lower=0> sigma_a;
  vector[J] a;
  vector[K] b;
}
model {
  mu_a ~ normal(0, 2);
  sigma_a ~ normal(0, 2);
  a ~ normal(mu_a, sigma_a);
  b ~ normal(0, 2);
  y ~ bernoulli_logit(a[g] + x * b);
}
