-- The InfoPlane analysis views (docs/tables.md). Each view starts with a line "-- view: NAME";
-- ${ns} stands for the catalog and namespace of the tables (e.g. infoplane.ip; InfoPlane puts in each
-- part as a quoted identifier, `infoplane`.`ip`, which reads the same). InfoPlane registers
-- them as temporary views in every session it opens for users (sql, report); the notebook does too.
-- A view may use the views above it: register them in file order.
--
-- The verdicts are statistical tests (METHOD.md section 10), computed by the analysis into the tables
-- dpi_tests, phase_tests and early_stopping: each carries its effect in bits, its confidence interval,
-- p-value and Benjamini-Hochberg q-value. The views below summarise those tables; they judge nothing
-- themselves.

-- view: ip_mean_over_runs
SELECT r.model, p.split, p.epoch, p.step, p.layer_index, p.layer_name, p.config_id,
       COUNT(DISTINCT p.run_id) AS n_runs,
       AVG(p.i_xt) AS i_xt_mean, COALESCE(STDDEV_SAMP(p.i_xt), 0D) AS i_xt_std,
       MIN(p.i_xt) AS i_xt_min, MAX(p.i_xt) AS i_xt_max,
       AVG(p.i_ty) AS i_ty_mean, COALESCE(STDDEV_SAMP(p.i_ty), 0D) AS i_ty_std,
       MIN(p.i_ty) AS i_ty_min, MAX(p.i_ty) AS i_ty_max,
       AVG(p.sigma) AS sigma_mean, COALESCE(STDDEV_SAMP(p.sigma), 0D) AS sigma_std
FROM ${ns}.information_plane p JOIN ${ns}.runs r ON p.run_id = r.run_id
GROUP BY r.model, p.split, p.epoch, p.step, p.layer_index, p.layer_name, p.config_id

-- view: ip_planes
-- Every plane the tables hold, in one shape: the analysed ones (source 'analysis') and the variants
-- of `infoplane sensitivity` (source 'sensitivity', config_id the analysed configuration varied).
-- Rows written before the _se columns existed take them from the standard deviation.
SELECT 'analysis' AS source, run_id, split, epoch, step, layer_index, layer_name, config_id, alpha,
       1D AS sigma_scale, n_batches, i_xt, i_ty, h_t,
       COALESCE(i_xt_se, i_xt_std / SQRT(n_batches)) AS i_xt_se,
       COALESCE(i_ty_se, i_ty_std / SQRT(n_batches)) AS i_ty_se
FROM ${ns}.information_plane
UNION ALL
SELECT 'sensitivity' AS source, run_id, split, epoch, step, layer_index, layer_name, base_config_id AS config_id,
       alpha, sigma_scale, n_batches, i_xt, i_ty, h_t, i_xt_se, i_ty_se
FROM ${ns}.sensitivity

-- view: input_plane
-- The head of every chain: S(X) and I(X;Y) of each run and split (the same at every checkpoint and
-- layer: taken from the rows of the first layer and checkpoint).
SELECT run_id, split, config_id, MIN_BY(h_x, NAMED_STRUCT('s', step, 'e', epoch, 'l', layer_index)) AS h_x,
       MIN_BY(h_x_se, NAMED_STRUCT('s', step, 'e', epoch, 'l', layer_index)) AS h_x_se,
       MIN_BY(i_xy, NAMED_STRUCT('s', step, 'e', epoch, 'l', layer_index)) AS i_xy,
       MIN_BY(i_xy_se, NAMED_STRUCT('s', step, 'e', epoch, 'l', layer_index)) AS i_xy_se,
       MIN_BY(h_y, NAMED_STRUCT('s', step, 'e', epoch, 'l', layer_index)) AS h_y,
       MIN(n_batches) AS n_batches
FROM ${ns}.information_plane
GROUP BY run_id, split, config_id

-- view: ip_dpi_all
-- Per checkpoint (and level): the pairs of the chain X -> T1 -> ... tested, and those violated.
SELECT source, config_id, alpha, sigma_scale, model, level, run_id, n_runs, split, epoch, step,
       COUNT_IF(quantity = 'i_xt') AS n_pairs,
       COUNT_IF(quantity = 'i_xt' AND verdict = 'violated') AS n_xt_violations,
       COUNT_IF(quantity = 'i_ty' AND verdict = 'violated') AS n_ty_violations,
       COUNT_IF(verdict = 'undecided') AS n_undecided,
       COUNT_IF(quantity = 'i_xt' AND diff_effect > 0D) AS n_xt_raw_violations,
       COUNT_IF(quantity = 'i_ty' AND diff_effect > 0D) AS n_ty_raw_violations,
       CASE WHEN COUNT_IF(verdict = 'undecided') = 0 THEN COUNT_IF(verdict = 'violated') = 0 END AS dpi_holds,
       COLLECT_LIST(CASE WHEN quantity = 'i_xt' AND verdict = 'violated' THEN from_name || ' < ' || to_name END)
         AS xt_violations,
       COLLECT_LIST(CASE WHEN quantity = 'i_ty' AND verdict = 'violated' THEN from_name || ' < ' || to_name END)
         AS ty_violations,
       MIN(diff_q) AS min_q
FROM ${ns}.dpi_tests
GROUP BY source, config_id, alpha, sigma_scale, model, level, run_id, n_runs, split, epoch, step

-- view: dpi_check
-- The analysed plane's DPI per checkpoint, at run level (run_id set) and experiment level (run_id null).
SELECT level, model, run_id, n_runs, split, epoch, step, config_id, n_pairs, n_xt_violations, n_ty_violations,
       n_undecided, dpi_holds, xt_violations, ty_violations, n_xt_raw_violations, n_ty_raw_violations, min_q
FROM ip_dpi_all WHERE source = 'analysis'

-- view: compression_phases
-- Each layer's phases on each split (run and experiment level), with every test behind them.
SELECT level, model, run_id, n_runs, split, layer_index, layer_name, config_id, n_checkpoints, phase,
       first_epoch, first_step, peak_epoch, peak_step, trough_epoch, trough_step,
       fit_effect, fit_ci_low, fit_ci_high, fit_p, fit_q, fit_df,
       drop_effect, drop_ci_low, drop_ci_high, drop_p, drop_q, drop_df,
       ty_drop_effect, ty_drop_ci_low, ty_drop_ci_high, ty_drop_p, ty_drop_q, ty_drop_df,
       transient_effect, transient_ci_low, transient_ci_high, transient_p, transient_q, transient_df
FROM ${ns}.phase_tests WHERE source = 'analysis'

-- view: early_stopping_summary
-- Per experiment, split, layer and patience: how many runs stopped before, after or without compression.
SELECT model, split, layer_index, layer_name, config_id, patience, COUNT(*) AS n_runs,
       COUNT_IF(relation = 'before') AS compression_before_stop,
       COUNT_IF(relation = 'after') AS compression_after_stop,
       COUNT_IF(relation = 'no compression') AS no_compression,
       COUNT_IF(relation NOT IN ('before', 'after', 'no compression')) AS not_judged
FROM ${ns}.early_stopping WHERE source = 'analysis'
GROUP BY model, split, layer_index, layer_name, config_id, patience

-- view: sensitivity_verdicts
-- Each layer's run-level verdict under each sensitivity variant beside the analysed configuration's.
SELECT v.run_id, v.split, v.layer_index, v.layer_name, v.config_id AS base_config_id, v.alpha, v.sigma_scale,
       v.phase, b.phase AS base_phase, NOT (v.phase <=> b.phase) AS verdict_changed,
       v.drop_effect, b.drop_effect AS base_drop_effect, v.drop_q, b.drop_q AS base_drop_q
FROM ${ns}.phase_tests v
LEFT JOIN ${ns}.phase_tests b ON b.source = 'analysis' AND b.level = 'run' AND b.run_id = v.run_id
  AND b.split = v.split AND b.layer_index = v.layer_index AND b.config_id = v.config_id
WHERE v.source = 'sensitivity' AND v.level = 'run'

-- view: sensitivity_summary
-- Per sensitivity variant: the share of tested DPI pairs without a violation and the layers whose verdict
-- changed, beside the analysed configuration's. Shares are over every checkpoint and pair of the split.
WITH shares AS (
  SELECT source, run_id, split, config_id, alpha, sigma_scale,
         COUNT(DISTINCT step, epoch) AS n_checkpoints, COUNT_IF(quantity = 'i_xt') AS n_pairs,
         1D - COUNT_IF(quantity = 'i_xt' AND verdict = 'violated') / COUNT_IF(quantity = 'i_xt') AS xt_share,
         1D - COUNT_IF(quantity = 'i_ty' AND verdict = 'violated') / COUNT_IF(quantity = 'i_ty') AS ty_share,
         1D - COUNT_IF(verdict = 'violated') / COUNT(*) AS dpi_share,
         1D - COUNT_IF(diff_effect > 0D) / COUNT(*) AS dpi_share_raw
  FROM ${ns}.dpi_tests WHERE level = 'run' GROUP BY source, run_id, split, config_id, alpha, sigma_scale),
layers AS (
  SELECT run_id, split, base_config_id, alpha, sigma_scale, COUNT(*) AS n_layers,
         COUNT_IF(verdict_changed) AS n_layers_changed,
         COLLECT_LIST(CASE WHEN verdict_changed THEN layer_name END) AS layers_changed
  FROM sensitivity_verdicts GROUP BY run_id, split, base_config_id, alpha, sigma_scale)
SELECT v.run_id, v.split, v.config_id AS base_config_id, v.alpha, v.sigma_scale, v.n_checkpoints, v.n_pairs,
       v.xt_share, b.xt_share AS base_xt_share, v.ty_share, b.ty_share AS base_ty_share,
       v.dpi_share, b.dpi_share AS base_dpi_share,
       NOT (ROUND(v.dpi_share, 12) <=> ROUND(b.dpi_share, 12)) AS dpi_share_changed,
       v.dpi_share_raw, b.dpi_share_raw AS base_dpi_share_raw,
       l.n_layers, l.n_layers_changed, l.layers_changed
FROM shares v
LEFT JOIN shares b ON b.source = 'analysis' AND b.run_id = v.run_id AND b.split = v.split AND b.config_id = v.config_id
LEFT JOIN layers l ON l.run_id = v.run_id AND l.split = v.split AND l.base_config_id = v.config_id
  AND l.alpha = v.alpha AND l.sigma_scale = v.sigma_scale
WHERE v.source = 'sensitivity'
