#!/usr/bin/env bash
# The contention-robust companion of benchmarks/compare.sh: InterleavedRatio and the NumPy peer, both
# single-threaded with their bodies interleaved in rounds, one after the other (docs/benchmarks.md).
#   benchmarks/interleaved.sh OUTDIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: benchmarks/interleaved.sh OUTDIR}"
mkdir -p "$out"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
# OpenBLAS (0.3.21 here) takes CPUs it does not know for an older core and runs slower kernels; name the core
# when it guesses wrong (OPENBLAS_VERBOSE=2 prints its choice), e.g. OPENBLAS_CORETYPE=SkylakeX.
[ -n "${OPENBLAS_CORETYPE:-}" ] && export OPENBLAS_CORETYPE
"$root/benchmarks/run.sh" -l > /dev/null # builds the module when needed
cp="$root/benchmarks/target/classes:$(cat "$root/benchmarks/target/classpath.txt")"
java_opts="-XX:ActiveProcessorCount=1 -Xmx6g -Dorg.bytedeco.javacpp.maxbytes=10g -Dlog4j2.configurationFile=$root/conf/log4j2.properties"
uptime > "$out/load.txt"
for cfg in "100 784 40" "100 65536 30" "1000 784 6"; do
  # shellcheck disable=SC2086
  java $java_opts -cp "$cp" org.infoplane.benchmarks.InterleavedRatio $cfg >> "$out/java.txt"
  uptime >> "$out/load.txt"
done
"${PYTHON:-python3}" "$root/benchmarks/numpy_peer.py" 100:784 100:65536 --rounds 30 > "$out/numpy.jsonl"
"${PYTHON:-python3}" "$root/benchmarks/numpy_peer.py" 1000:784 --rounds 6 >> "$out/numpy.jsonl"
uptime >> "$out/load.txt"
