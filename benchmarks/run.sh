#!/usr/bin/env bash
# Runs the JMH benchmarks of InfoPlane on the module's runtime classpath (no uber-jar).
#   benchmarks/run.sh [JMH arguments]      e.g. benchmarks/run.sh -f 1 -wi 3 -i 5 -p b=100 -p d=65536
# Builds the module (and the estimator) first when it is missing or older than the sources.
# Environment:
#   BENCH_JAVA_OPTS   JVM options of the harness and, through -jvmArgsAppend, of every fork
#                     (default: 6 GiB heap, 10 GiB of ND4J off-heap memory)
#   BENCH_REBUILD=1   force a rebuild
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod="$root/benchmarks"
classes="$mod/target/classes"
cp_file="$mod/target/classpath.txt"
marker="$classes/META-INF/BenchmarkList"

stale() {
  [ "${BENCH_REBUILD:-0}" = 1 ] && return 0
  [ -f "$marker" ] && [ -f "$cp_file" ] || return 0
  [ -n "$(find "$root/pom.xml" "$root/estimator" "$root/archive" "$root/capture" "$root/analysis" "$mod" \
      \( -name target -prune \) -o \( -type f \( -name '*.java' -o -name 'pom.xml' \) -newer "$marker" -print \) \
      2>/dev/null | head -n 1)" ]
}

if stale; then
  command -v mvn >/dev/null || { echo "run.sh: Maven (mvn) is needed to build the benchmarks" >&2; exit 1; }
  echo "run.sh: building the benchmarks..." >&2
  (cd "$root" && mvn -B -q -Dstyle.color=never -DskipTests -pl benchmarks -am package) >&2
fi

# The jars of the modules below are on the classpath file through the reactor; target/classes holds the benchmarks
# and JMH's generated code and META-INF/BenchmarkList.
classpath="$classes:$(cat "$cp_file")"
opts="${BENCH_JAVA_OPTS:--Xms1g -Xmx6g -Dorg.bytedeco.javacpp.maxbytes=10g -Dorg.bytedeco.javacpp.maxphysicalbytes=16g}"
opts="$opts -Dlog4j2.configurationFile=$root/conf/log4j2.properties"

# JMH forks inherit java.class.path from this JVM; the JVM options are passed on explicitly.
# shellcheck disable=SC2086
exec java $opts -cp "$classpath" org.openjdk.jmh.Main -jvmArgsAppend "$opts" "$@"
