#!/usr/bin/env bash
# One IP point against its floors and the plain-NumPy peer, single-threaded, in one go (docs/benchmarks.md).
#   benchmarks/compare.sh OUTDIR
# Runs JMH (BatchBenchmarks at B=100 with D=784 and 65,536, and B=1000 with D=784), then
# benchmarks/numpy_peer.py on the same sizes, with one BLAS/OpenMP thread for both.
# Environment: PYTHON (default python3: a NumPy linked to an optimised BLAS, not the reference one).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: benchmarks/compare.sh OUTDIR}"
mkdir -p "$out"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
# OpenBLAS (0.3.21 here) takes CPUs it does not know for an older core and runs slower kernels; name the core
# when it guesses wrong (OPENBLAS_VERBOSE=2 prints its choice), e.g. OPENBLAS_CORETYPE=SkylakeX.
[ -n "${OPENBLAS_CORETYPE:-}" ] && export OPENBLAS_CORETYPE
export BENCH_JAVA_OPTS="-XX:ActiveProcessorCount=1 -Xms1g -Xmx6g -Dorg.bytedeco.javacpp.maxbytes=10g -Dorg.bytedeco.javacpp.maxphysicalbytes=16g"
jmh="-f 1 -wi 2 -i 3 -w 1s -r 1s"
uptime > "$out/load.txt"
# shellcheck disable=SC2086
"$root/benchmarks/run.sh" $jmh -p b=100 -p d=784,65536 -rf json -rff "$out/jmh-100.json" BatchBenchmarks > "$out/jmh-100.log"
uptime >> "$out/load.txt"
# shellcheck disable=SC2086
"$root/benchmarks/run.sh" $jmh -p b=1000 -p d=784 -rf json -rff "$out/jmh-1000.json" BatchBenchmarks > "$out/jmh-1000.log"
uptime >> "$out/load.txt"
"${PYTHON:-python3}" "$root/benchmarks/numpy_peer.py" 100:784 100:65536 1000:784 > "$out/numpy.jsonl"
uptime >> "$out/load.txt"
