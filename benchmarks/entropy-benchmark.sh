#!/usr/bin/env bash
# Exact against randomized entropies on one batch of N Fashion-MNIST images (D = 784), one JVM per
# case, peak resident memory from /usr/bin/time. Writes JSON lines (one object per case) to $OUT.
#   benchmarks/entropy-benchmark.sh OUT.jsonl N METHOD [N METHOD ...]
# METHOD: exact, or randomized:PROBES:RANK:STEPS:SEED. Environment: OMP_NUM_THREADS (default 2),
# JAVA_HEAP (default 10g), FASHION_MNIST (default /usr/share/datasets/fashion-mnist).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$1"; shift
"$root/bin/infoplane" --version >/dev/null   # builds the jar and its classpath files when stale
cp="$root/app/target/classes:$(cat "$root/app/target/classpath.txt"):$(cat "$root/app/target/classpath-provided.txt")"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
data="${FASHION_MNIST:-/usr/share/datasets/fashion-mnist}"
while [ $# -ge 2 ]; do
  n="$1"; method="$2"; shift 2
  tmp="$(mktemp)"; timing="$(mktemp)"
  /usr/bin/time -v -o "$timing" java -Xmx"${JAVA_HEAP:-10g}" -Dorg.bytedeco.javacpp.maxbytes=12g \
    -cp "$cp" org.infoplane.bench.EntropyBenchmark "$n" "$method" "$tmp" "$data" >/dev/null
  rss_kb="$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$timing")"
  wall="$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$timing")"
  sed -e "s/}\$/,\"peak_rss_mb\":$((rss_kb / 1024)),\"process_wall\":\"$wall\",\"load_average\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}/" "$tmp" >> "$out"
  tail -n 1 "$out"
  rm -f "$tmp" "$timing"
done
