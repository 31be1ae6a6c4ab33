-- The InfoPlane analysis views (docs/tables.md). Each view starts with a line "-- view: NAME";
-- ${ns} stands for the catalog and namespace of the tables (e.g. infoplane.ip). InfoPlane registers
-- them as temporary views in every session it opens for users (sql, report); the notebook does too.

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

-- view: dpi_check
WITH pairs AS (
  SELECT run_id, split, epoch, step, config_id, layer_name, i_xt, i_ty,
         LEAD(layer_name) OVER w AS next_name, LEAD(i_xt) OVER w AS next_i_xt, LEAD(i_ty) OVER w AS next_i_ty
  FROM ${ns}.information_plane
  WINDOW w AS (PARTITION BY run_id, split, epoch, step, config_id ORDER BY layer_index))
SELECT run_id, split, epoch, step, config_id,
       COUNT(*) AS n_pairs,
       COUNT_IF(i_xt >= next_i_xt) AS xt_pairs_holding,
       COUNT_IF(i_ty >= next_i_ty) AS ty_pairs_holding,
       COUNT_IF(i_xt >= next_i_xt) / COUNT(*) AS xt_share,
       COUNT_IF(i_ty >= next_i_ty) / COUNT(*) AS ty_share,
       COUNT_IF(i_xt >= next_i_xt AND i_ty >= next_i_ty) / COUNT(*) AS share_holding,
       COUNT_IF(i_xt < next_i_xt OR i_ty < next_i_ty) = 0 AS dpi_holds,
       COLLECT_LIST(CASE WHEN i_xt < next_i_xt THEN layer_name || ' < ' || next_name END) AS xt_violations,
       COLLECT_LIST(CASE WHEN i_ty < next_i_ty THEN layer_name || ' < ' || next_name END) AS ty_violations
FROM pairs WHERE next_name IS NOT NULL
GROUP BY run_id, split, epoch, step, config_id

-- view: compression_phases
WITH marked AS (
  SELECT run_id, split, layer_index, layer_name, config_id, epoch, step, i_xt, i_ty,
         MAX_BY(NAMED_STRUCT('step', step, 'epoch', epoch, 'i_ty', i_ty), i_xt)
           OVER (PARTITION BY run_id, split, layer_index, config_id) AS peak
  FROM ${ns}.information_plane),
agg AS (
  SELECT run_id, split, layer_index, MAX(layer_name) AS layer_name, config_id,
         COUNT(*) AS n_checkpoints,
         MAX(peak.epoch) AS peak_epoch, MAX(peak.step) AS peak_step,
         MAX(i_xt) AS i_xt_peak,
         MAX_BY(i_xt, NAMED_STRUCT('step', step, 'epoch', epoch)) AS i_xt_last,
         MAX(peak.i_ty) AS i_ty_at_peak,
         MIN(CASE WHEN step > peak.step OR (step = peak.step AND epoch > peak.epoch) THEN i_ty END)
           AS i_ty_min_after_peak
  FROM marked GROUP BY run_id, split, layer_index, config_id)
SELECT run_id, split, layer_index, layer_name, config_id, n_checkpoints, peak_epoch, peak_step,
       i_xt_peak, i_xt_last, i_xt_peak - i_xt_last AS xt_drop, i_ty_at_peak, i_ty_min_after_peak,
       i_ty_min_after_peak IS NOT NULL AND i_ty_min_after_peak >= i_ty_at_peak - GREATEST(0.01D, 0.01D * i_ty_at_peak) AS ty_held,
       CASE WHEN i_ty_min_after_peak IS NULL THEN 'fitting'
            WHEN i_ty_min_after_peak >= i_ty_at_peak - GREATEST(0.01D, 0.01D * i_ty_at_peak) THEN 'fitting, then compression'
            ELSE 'fitting, then I(X;T) and I(T;Y) fall' END AS phases
FROM agg
