// The default reconciliation model (docs/model.md), written in Stan as a reference
// implementation for benchmarks. It is the same model as reconcile/model/build.py under
// models/default.toml: Student-t(4) noise, rounding = "interval", one fixed stance (the
// anchor, whose z only follows its prior, as in the PyMC graph), zero-sum kind effects,
// Gamma(2) between-source sds, everything non-centered. Every prior constant is data
// (benchmarks/stan_reference.py: stan_data), so the two models take the same configuration.
//
// Indices are the 0-based arrays of reconcile.model.inputs.ModelInputs plus 1.

functions {
  // log F(z) of Student's t with 4 degrees of freedom, in the closed form of
  // reconcile/model/likelihood.py (_student_t4_logcdf): with a = |z|, r = hypot(2, a),
  // e = 1 - a / r = (4 / r^2) / (1 + a / r) (no cancellation), F(-a) = e^2 (3 - e) / 4.
  // Accurate from the centre to the far tail (hypot does not overflow), unlike
  // student_t_lcdf, which goes through the incomplete beta function.
  real t4_lcdf(real z) {
    real a = z <= 0 ? -z : z;
    real radius = hypot(2, a);
    real log_e = 2 * (log2() - log(radius)) - log1p(a / radius);
    real log_lower = 2 * log_e + log(3 - exp(log_e)) - log(4);
    return z <= 0 ? log_lower : log1m_exp(log_lower);
  }

  // log P(lower <= loc + scale * t_4 <= upper), open ends masked out; when the interval
  // lies above the location the mirrored form is used, so that both log-CDFs are taken
  // in the lower half (reconcile/model/likelihood.py: interval_logp).
  real interval_logp(real loc, real scale, real low, real high, int has_low,
                     int has_high) {
    real z_low = has_low ? (low - loc) / scale : 0;
    real z_high = has_high ? (high - loc) / scale : 0;
    int mirror = has_low && z_low > 0;
    int has_top = mirror ? has_low : has_high;
    int has_bottom = mirror ? has_high : has_low;
    real z_top = mirror ? -z_low : z_high;
    real z_bottom = mirror ? -z_high : z_low;
    real top = has_top ? t4_lcdf(z_top) : 0;
    if (!has_bottom) {
      return top;
    }
    return log_diff_exp(top, t4_lcdf(z_bottom));
  }
}

data {
  int<lower=1> n_quantity;
  int<lower=1> n_leaf;
  int<lower=0> n_remainder;
  int<lower=1> n_source;
  int<lower=1> n_kind;
  int<lower=1> n_claim;
  int<lower=1> n_pair;
  int<lower=0> n_uplift;

  // (quantity, leaf) pairs: the leaf lies in the quantity's subtree (itself included)
  array[n_pair] int<lower=1, upper=n_quantity> pair_quantity;
  array[n_pair] int<lower=1, upper=n_leaf> pair_leaf;
  array[n_leaf] int<lower=1, upper=n_quantity> leaf_quantity;
  // (quantity, remainder) pairs: the remainder's parent is a strict ancestor of the quantity
  array[n_uplift] int<lower=1, upper=n_quantity> uplift_quantity;
  array[n_uplift] int<lower=1, upper=n_remainder> uplift_remainder;
  array[n_claim] int<lower=1, upper=n_quantity> claim_quantity;
  array[n_claim] int<lower=1, upper=n_source> claim_source;
  array[n_claim] int<lower=1, upper=3> claim_stance;  // own, enemy, third_party
  array[n_source] int<lower=1, upper=n_kind> source_kind;

  // observations: bounds on the log of what the source would state
  vector[n_claim] obs_lower;
  vector[n_claim] obs_upper;
  array[n_claim] int<lower=0, upper=1> obs_has_lower;
  array[n_claim] int<lower=0, upper=1> obs_has_upper;
  vector<lower=0, upper=1>[n_claim] obs_about;
  vector<lower=0>[n_claim] weight;  // 1 / size of the claim's evidence group

  // priors (the model configuration)
  real truth_mu;
  real<lower=0> truth_sigma;
  real remainder_log_ratio_mu;
  real<lower=0> remainder_scale;
  vector[3] stance_mu;
  vector<lower=0>[3] stance_sd;  // 0 for a fixed (anchor) stance
  real<lower=0> kind_sigma;
  real<lower=0> source_sigma;  // prior mean of the Gamma(2) source-deviation sd
  real<lower=0> sigma_median;
  real<lower=0> sigma_kind_sd;
  real<lower=0> sigma_source_sd;  // prior mean of the Gamma(2) source noise spread
  real<lower=0> about_sigma;
}

parameters {
  vector[n_leaf] leaf_z;
  vector[n_remainder] remainder_log_ratio;
  vector[3] stance_z;
  // with one kind: no free element, the kind effect is 0 (build.py: pt.zeros(1))
  sum_to_zero_vector[n_kind] kind_bias;
  real<lower=0> source_bias_sd;
  vector[n_source] source_bias_z;
  vector[n_kind] noise_kind_z;
  real<lower=0> noise_source_sd;
  vector[n_source] noise_source_z;
}

transformed parameters {
  // T_q = sum over the leaves l below q of T_l * exp(A(l) - A(q)), A(q) the sum of
  // log(1 + rho) over q's strict ancestors
  vector<lower=0>[n_quantity] count;
  {
    vector[n_quantity] uplift = rep_vector(0, n_quantity);
    vector[n_leaf] log_leaf = truth_mu + truth_sigma * leaf_z;
    vector[n_remainder] log_growth = log1p_exp(remainder_log_ratio);  // softplus
    for (u in 1:n_uplift) {
      uplift[uplift_quantity[u]] += log_growth[uplift_remainder[u]];
    }
    count = rep_vector(0, n_quantity);
    for (p in 1:n_pair) {
      int l = pair_leaf[p];
      count[pair_quantity[p]] += exp(log_leaf[l] + uplift[leaf_quantity[l]]
                                     - uplift[pair_quantity[p]]);
    }
  }
}

model {
  vector[3] stance = stance_mu + stance_sd .* stance_z;
  vector[n_source] source_bias = kind_bias[source_kind] + source_bias_sd * source_bias_z;
  vector[n_source] noise_scale = exp(log(sigma_median) + sigma_kind_sd * noise_kind_z[source_kind]
                                     + noise_source_sd * noise_source_z);
  vector[n_quantity] log_count = log(count);

  leaf_z ~ std_normal();
  remainder_log_ratio ~ logistic(remainder_log_ratio_mu, remainder_scale);
  stance_z ~ std_normal();
  if (n_kind > 1) {
    // on a sum-to-zero vector: each element's marginal sd is kind_sigma * sqrt(1 - 1/K),
    // as for PyMC's ZeroSumNormal(kind_sigma)
    kind_bias ~ normal(0, kind_sigma);
  }
  source_bias_sd ~ gamma(2, 2 / source_sigma);
  source_bias_z ~ std_normal();
  noise_kind_z ~ std_normal();
  noise_source_sd ~ gamma(2, 2 / sigma_source_sd);
  noise_source_z ~ std_normal();

  {
    vector[n_claim] loc = log_count[claim_quantity] + stance[claim_stance]
                          + source_bias[claim_source];
    vector[n_claim] scale = sqrt(square(noise_scale[claim_source])
                                 + obs_about * square(about_sigma));
    for (i in 1:n_claim) {
      target += weight[i] * interval_logp(loc[i], scale[i], obs_lower[i], obs_upper[i],
                                          obs_has_lower[i], obs_has_upper[i]);
    }
  }
}
