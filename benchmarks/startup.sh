#!/usr/bin/env bash
# Start-up of each bin/infoplane command from a warm build: wall time of the smallest real invocation
# (a 100-sample archive of one run, one checkpoint, two layers), REPS runs each after one warm-up run,
# median and minimum. Also records whether the command started a Spark session (Spark's
# "Running Spark version" log line on standard error).
#
#   benchmarks/startup.sh [REPS] [OUT]     (default 5, docs/startup-benchmark.md)
#
# Assumptions: the jar is built (the script runs bin/infoplane --version first, which builds it if
# needed, outside the timings); /usr/bin/python3 has numpy (for the input files).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
reps="${1:-5}"
out="${2:-$root/docs/startup-benchmark.md}"
ip="$root/bin/infoplane"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

"$ip" --version >/dev/null
/usr/bin/python3 - <<'EOF'
import numpy as np, os, json
rng = np.random.default_rng(0)
n = 100
x = rng.random((n, 1, 4, 4), dtype=np.float32); y = np.arange(n) % 2
np.savez("c.npz", x=x, y=y, L0_conv1=rng.random((n, 2, 4, 4), dtype=np.float32),
         L1_fc=rng.random((n, 3), dtype=np.float32))
np.save("x.npy", x.reshape(n, -1)); np.save("t.npy", rng.random((n, 3), dtype=np.float32)); np.save("y.npy", y)
os.makedirs("export/epoch=0-step=0")
json.dump({"format": "infoplane-export", "format_version": 1, "num_classes": 2}, open("export/export.json", "w"))
np.savez("export/epoch=0-step=0/test-00000.npz", x=x, y=y, L0_conv1=rng.random((n, 2, 4, 4), dtype=np.float32),
         L1_fc=rng.random((n, 3), dtype=np.float32))
json.dump({"format": "infoplane-export", "format_version": 1, "epoch": 0, "step": 0, "metrics": {"loss": 1.0},
           "splits": {"test": ["test-00000.npz"]}}, open("export/epoch=0-step=0/checkpoint.json", "w"))
EOF
"$ip" import npz --archive a --run r --split test --epoch 0 c.npz >/dev/null
"$ip" import npz --archive a --run r --split train --epoch 0 c.npz >/dev/null
"$ip" analyze --archive a --warehouse w >/dev/null 2>&1

commands=(
  "config|$ip config"
  "mi|$ip mi --x x.npy --t t.npy --y y.npy --batch-size 100"
  "validate|$ip validate --archive a"
  "import (files, existing checkpoint replaced)|$ip import npz --archive a --run r --split test --epoch 0 --replace c.npz"
  "import (directory, all skipped)|$ip import npz --archive a --run e export"
  "sql|$ip sql --warehouse w 'SELECT count(*) FROM runs'"
  "report|$ip report --run r --warehouse w --out rep"
  "analyze (nothing left to compute)|$ip analyze --archive a --warehouse w"
)
"$ip" import npz --archive a --run e export >/dev/null
# for the check run only: SparkContext's start-up line on standard error
cat > log4j2-spark.properties <<'EOF2'
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %m%n
rootLogger.level = warn
rootLogger.appenderRef.console.ref = console
logger.sc.name = org.apache.spark.SparkContext
logger.sc.level = info
EOF2

{
  echo "| command | median s | min s | Spark session |"
  echo "| --- | ---: | ---: | --- |"
  for entry in "${commands[@]}"; do
    name="${entry%%|*}"
    cmd="${entry#*|}"
    (export INFOPLANE_JAVA_OPTS="-Dlog4j2.configurationFile=$work/log4j2-spark.properties"; eval "$cmd") >/dev/null 2>err.txt \
      || { echo "failed: $cmd" >&2; cat err.txt >&2; exit 1; }
    spark=no
    grep -q "Running Spark version" err.txt && spark=yes
    times=()
    for _ in $(seq "$reps"); do
      t0=$(date +%s.%N)
      eval "$cmd" >/dev/null 2>&1
      t1=$(date +%s.%N)
      times+=("$(echo "$t1 - $t0" | bc)")
    done
    sorted=($(printf '%s\n' "${times[@]}" | sort -n))
    median=${sorted[$(( ${#sorted[@]} / 2 ))]}
    printf '| `%s` | %.1f | %.1f | %s |\n' "$name" "$median" "${sorted[0]}" "$spark"
  done
  echo
  echo "$reps runs per command after one warm-up; $(nproc) cores; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg);" \
       "$(java -version 2>&1 | head -n 1); $(date -u +%Y-%m-%dT%H:%MZ)."
} | tee "$out"
