-- The InfoPlane analysis views (docs/tables.md). Each view starts with a line "-- view: NAME";
-- ${ns} stands for the catalog and namespace of the tables (e.g. infoplane.ip). InfoPlane registers
-- them as temporary views in every session it opens for users (sql, report); the notebook does too.
-- A view may use the views above it: register them in file order.
--
-- The noise rule (docs/tables.md, "Verdicts that know the noise"): a difference between two rows
-- counts as significant when it exceeds 2 x sqrt(se_a^2 + se_b^2), se the standard errors of the two
-- means over batches; it is not judged (null) when either row has fewer than 2 batches.

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

-- view: ip_dpi_all
WITH pairs AS (
  SELECT source, run_id, split, epoch, step, config_id, alpha, sigma_scale, layer_name, i_xt, i_ty,
         n_batches, i_xt_se, i_ty_se,
         LEAD(layer_name) OVER w AS next_name, LEAD(i_xt) OVER w AS next_i_xt, LEAD(i_ty) OVER w AS next_i_ty,
         LEAD(n_batches) OVER w AS next_n_batches,
         LEAD(i_xt_se) OVER w AS next_i_xt_se, LEAD(i_ty_se) OVER w AS next_i_ty_se
  FROM ip_planes
  WINDOW w AS (PARTITION BY source, run_id, split, epoch, step, config_id, alpha, sigma_scale ORDER BY layer_index)),
judged AS (
  SELECT *,
         LEAST(n_batches, next_n_batches) >= 2 AS judged,
         next_i_xt - i_xt > 2D * SQRT(i_xt_se * i_xt_se + next_i_xt_se * next_i_xt_se) AS xt_beyond,
         next_i_ty - i_ty > 2D * SQRT(i_ty_se * i_ty_se + next_i_ty_se * next_i_ty_se) AS ty_beyond
  FROM pairs WHERE next_name IS NOT NULL)
SELECT source, run_id, split, epoch, step, config_id, alpha, sigma_scale,
       COUNT(*) AS n_pairs,
       COUNT_IF(i_xt >= next_i_xt) AS xt_pairs_holding,
       COUNT_IF(i_ty >= next_i_ty) AS ty_pairs_holding,
       COUNT_IF(i_xt >= next_i_xt) / COUNT(*) AS xt_share,
       COUNT_IF(i_ty >= next_i_ty) / COUNT(*) AS ty_share,
       COUNT_IF(i_xt >= next_i_xt AND i_ty >= next_i_ty) / COUNT(*) AS share_holding,
       COUNT_IF(i_xt < next_i_xt OR i_ty < next_i_ty) = 0 AS dpi_holds,
       COLLECT_LIST(CASE WHEN i_xt < next_i_xt THEN layer_name || ' < ' || next_name END) AS xt_violations,
       COLLECT_LIST(CASE WHEN i_ty < next_i_ty THEN layer_name || ' < ' || next_name END) AS ty_violations,
       COUNT_IF(i_xt < next_i_xt) AS n_xt_violations,
       CASE WHEN BOOL_AND(judged) THEN COUNT_IF(xt_beyond) END AS n_xt_violations_significant,
       COUNT_IF(i_ty < next_i_ty) AS n_ty_violations,
       CASE WHEN BOOL_AND(judged) THEN COUNT_IF(ty_beyond) END AS n_ty_violations_significant,
       CASE WHEN BOOL_AND(judged) THEN COUNT_IF(NOT xt_beyond) / COUNT(*) END AS xt_share_significant,
       CASE WHEN BOOL_AND(judged) THEN COUNT_IF(NOT ty_beyond) / COUNT(*) END AS ty_share_significant,
       CASE WHEN BOOL_AND(judged) THEN COUNT_IF(NOT xt_beyond AND NOT ty_beyond) / COUNT(*) END
         AS share_holding_significant,
       CASE WHEN BOOL_AND(judged) THEN COUNT_IF(xt_beyond OR ty_beyond) = 0 END AS dpi_holds_significant,
       CASE WHEN BOOL_AND(judged) THEN COLLECT_LIST(CASE WHEN xt_beyond THEN layer_name || ' < ' || next_name END) END
         AS xt_violations_significant,
       CASE WHEN BOOL_AND(judged) THEN COLLECT_LIST(CASE WHEN ty_beyond THEN layer_name || ' < ' || next_name END) END
         AS ty_violations_significant
FROM judged
GROUP BY source, run_id, split, epoch, step, config_id, alpha, sigma_scale

-- view: dpi_check
SELECT run_id, split, epoch, step, config_id, n_pairs, xt_pairs_holding, ty_pairs_holding, xt_share, ty_share,
       share_holding, dpi_holds, xt_violations, ty_violations,
       n_xt_violations, n_xt_violations_significant, n_ty_violations, n_ty_violations_significant,
       xt_share_significant, ty_share_significant, share_holding_significant, dpi_holds_significant,
       xt_violations_significant, ty_violations_significant
FROM ip_dpi_all WHERE source = 'analysis'

-- view: ip_phases_all
WITH marked AS (
  SELECT source, run_id, split, layer_index, layer_name, config_id, alpha, sigma_scale, epoch, step,
         i_xt, i_ty, h_t, n_batches, i_xt_se, i_ty_se,
         MAX_BY(NAMED_STRUCT('step', step, 'epoch', epoch, 'i_ty', i_ty, 'i_xt_se', i_xt_se, 'i_ty_se', i_ty_se), i_xt)
           OVER (PARTITION BY source, run_id, split, layer_index, config_id, alpha, sigma_scale) AS peak
  FROM ip_planes),
later AS (
  SELECT *, step > peak.step OR (step = peak.step AND epoch > peak.epoch) AS after_peak FROM marked),
agg AS (
  SELECT source, run_id, split, layer_index, MAX(layer_name) AS layer_name, config_id, alpha, sigma_scale,
         COUNT(*) AS n_checkpoints,
         MIN(n_batches) >= 2 AS judged,
         MAX(h_t) = 0D AS constant,
         MAX(peak.epoch) AS peak_epoch, MAX(peak.step) AS peak_step,
         MAX(i_xt) AS i_xt_peak, MAX(peak.i_xt_se) AS i_xt_se_peak,
         MAX_BY(NAMED_STRUCT('i_xt', i_xt, 'i_xt_se', i_xt_se), NAMED_STRUCT('step', step, 'epoch', epoch)) AS last,
         MAX(peak.i_ty) AS i_ty_at_peak,
         MIN(CASE WHEN after_peak THEN i_ty END) AS i_ty_min_after_peak,
         COUNT_IF(after_peak AND peak.i_ty - i_ty > 2D * SQRT(peak.i_ty_se * peak.i_ty_se + i_ty_se * i_ty_se)) > 0
           AS ty_fell_beyond
  FROM later GROUP BY source, run_id, split, layer_index, config_id, alpha, sigma_scale),
judged AS (
  SELECT *, last.i_xt AS i_xt_last, i_xt_peak - last.i_xt AS xt_drop,
         SQRT(i_xt_se_peak * i_xt_se_peak + last.i_xt_se * last.i_xt_se) AS xt_drop_se,
         i_ty_min_after_peak IS NOT NULL
           AND i_ty_min_after_peak >= i_ty_at_peak - GREATEST(0.01D, 0.01D * i_ty_at_peak) AS ty_held
  FROM agg)
SELECT source, run_id, split, layer_index, layer_name, config_id, alpha, sigma_scale, n_checkpoints,
       peak_epoch, peak_step, i_xt_peak, i_xt_last, xt_drop, i_ty_at_peak, i_ty_min_after_peak, ty_held,
       CASE WHEN constant THEN 'constant'
            WHEN i_ty_min_after_peak IS NULL THEN 'fitting'
            WHEN ty_held THEN 'fitting, then compression'
            ELSE 'fitting, then I(X;T) and I(T;Y) fall' END AS phases,
       xt_drop_se,
       CASE WHEN judged THEN xt_drop > 2D * xt_drop_se END AS compression_significant,
       CASE WHEN judged THEN ty_fell_beyond END AS ty_fell_significant,
       CASE WHEN constant THEN 'constant'
            WHEN NOT judged THEN NULL
            WHEN NOT xt_drop > 2D * xt_drop_se THEN 'fitting'
            WHEN ty_fell_beyond THEN 'fitting, then I(X;T) and I(T;Y) fall'
            ELSE 'fitting, then compression' END AS phases_significant
FROM judged

-- view: compression_phases
SELECT run_id, split, layer_index, layer_name, config_id, n_checkpoints, peak_epoch, peak_step,
       i_xt_peak, i_xt_last, xt_drop, i_ty_at_peak, i_ty_min_after_peak, ty_held, phases,
       xt_drop_se, compression_significant, ty_fell_significant, phases_significant
FROM ip_phases_all WHERE source = 'analysis'

-- view: sensitivity_verdicts
-- Each layer's verdict under each sensitivity variant beside the analysed configuration's.
SELECT v.run_id, v.split, v.layer_index, v.layer_name, v.config_id AS base_config_id, v.alpha, v.sigma_scale,
       v.phases_significant, b.phases_significant AS base_phases_significant,
       NOT (v.phases_significant <=> b.phases_significant) AS verdict_changed,
       v.phases, b.phases AS base_phases, v.xt_drop, b.xt_drop AS base_xt_drop
FROM ip_phases_all v
LEFT JOIN ip_phases_all b ON b.source = 'analysis' AND b.run_id = v.run_id AND b.split = v.split
  AND b.layer_index = v.layer_index AND b.config_id = v.config_id
WHERE v.source = 'sensitivity'

-- view: sensitivity_summary
-- Per sensitivity variant: the DPI shares and the layers whose verdict changed, beside the analysed
-- configuration's. Shares are over every checkpoint and adjacent layer pair of the split.
WITH shares AS (
  SELECT source, run_id, split, config_id, alpha, sigma_scale,
         COUNT(DISTINCT step, epoch) AS n_checkpoints, SUM(n_pairs) AS n_pairs,
         CASE WHEN COUNT(n_xt_violations_significant) = COUNT(*)
              THEN 1D - SUM(n_xt_violations_significant) / SUM(n_pairs) END AS xt_share,
         CASE WHEN COUNT(n_ty_violations_significant) = COUNT(*)
              THEN 1D - SUM(n_ty_violations_significant) / SUM(n_pairs) END AS ty_share,
         CASE WHEN COUNT(share_holding_significant) = COUNT(*)
              THEN SUM(share_holding_significant * n_pairs) / SUM(n_pairs) END AS dpi_share,
         SUM(n_pairs * share_holding) / SUM(n_pairs) AS dpi_share_raw
  FROM ip_dpi_all GROUP BY source, run_id, split, config_id, alpha, sigma_scale),
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
