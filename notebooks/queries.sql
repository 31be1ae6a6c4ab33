-- The SQL of notebooks/information_plane.ipynb. Each query starts with a line "-- query: NAME";
-- ${run_id} is the run to look at and ${config_id} the analysis configuration whose rows it shows (the
-- notebook takes the run's most recent, the first row of the query "configs", unless told one). They run with the InfoPlane namespace current (USE infoplane.ip)
-- and the views of analysis/src/main/resources/org/infoplane/views.sql registered. The test suite
-- (NotebookQueriesTest) runs every query here against a really analysed archive.

-- query: runs
SELECT run_id, model, dataset, seed, size(metrics) AS n_checkpoints
FROM runs ORDER BY run_id

-- query: configs
SELECT p.config_id, c.estimator, c.preset, MAX(p.computed_at) AS computed_at, COUNT(*) AS n_rows
FROM information_plane p LEFT JOIN analysis_configs c ON p.config_id = c.config_id
WHERE p.run_id = '${run_id}'
GROUP BY p.config_id, c.estimator, c.preset
ORDER BY computed_at DESC, p.config_id

-- query: plane
SELECT split, epoch, step, layer_index, layer_name, i_xt, i_ty, sigma
FROM information_plane
WHERE run_id = '${run_id}' AND config_id = '${config_id}'
ORDER BY split, layer_index, step, epoch

-- query: metrics
SELECT m.epoch, m.step, m.loss, m.train_accuracy, m.test_accuracy, m.test_loss, m.val_loss, m.val_accuracy
FROM runs LATERAL VIEW explode(metrics) e AS m
WHERE run_id = '${run_id}'
ORDER BY m.step, m.epoch

-- query: dpi
SELECT split, epoch, step, n_pairs, n_xt_violations, n_ty_violations, dpi_holds, xt_violations, ty_violations
FROM dpi_check WHERE level = 'run' AND run_id = '${run_id}' AND config_id = '${config_id}'
ORDER BY split, step, epoch

-- query: phases
SELECT split, layer_index, layer_name, phase, peak_epoch, drop_effect, drop_ci_low, drop_ci_high, drop_q
FROM compression_phases WHERE level = 'run' AND run_id = '${run_id}' AND config_id = '${config_id}'
ORDER BY split, layer_index
