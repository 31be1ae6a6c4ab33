WITH p AS (SELECT run_id, split, layer_index, layer_name, step, i_xt FROM information_plane WHERE config_id = '77ab6f33f95b5662'),
last AS (SELECT max(step) AS s FROM p),
pairs AS (
  SELECT a.split, a.layer_name, a.layer_index, a.run_id, a.step AS from_step, b.step AS to_step, a.i_xt - b.i_xt AS fall
  FROM p a JOIN p b ON a.run_id = b.run_id AND a.split = b.split AND a.layer_index = b.layer_index
  CROSS JOIN last
  WHERE b.step = last.s AND a.step IN (last.s / 2, last.s - 300)),
g AS (SELECT split, from_step, to_step, layer_index, layer_name, count(*) AS runs, avg(fall) AS m, stddev(fall) AS sd
  FROM pairs GROUP BY split, from_step, to_step, layer_index, layer_name)
SELECT split, from_step, to_step, layer_name, runs, round(m, 3) AS mean_fall, round(sd, 3) AS between_run_sd FROM g
ORDER BY split DESC, from_step, layer_index
