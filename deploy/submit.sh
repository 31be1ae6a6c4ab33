#!/usr/bin/env bash
# Submits an InfoPlane command to a Spark 3.5 cluster (standalone, YARN or Kubernetes) with a shaded
# jar, this installation's defaults and logging. Usage:
#
#   deploy/submit.sh [spark-submit options] -- COMMAND [command options]
#   deploy/submit.sh --master spark://HOST:7077 -- analyze --archive hdfs://NN/a --warehouse hdfs://NN/wh
#
# Everything before "--" goes to spark-submit, everything after it to InfoPlane. The jar is the
# analysis jar, infoplane-analysis.jar (no DL4J), except for the commands that only the full jar,
# infoplane-jobs.jar, has: train, extract, demo, experiment (DL4J) and benchmark. Environment:
#   SPARK_HOME        the Spark 3.5 installation (spark-submit is taken from $SPARK_HOME/bin)
#   INFOPLANE_JAR     the jar, whatever the command (default: the one the command needs, from
#                     INFOPLANE_JAR_DIR)
#   INFOPLANE_JAR_DIR where the two jars are (default: this checkout's build, cli/target for the
#                     analysis jar and app/target for the full jar)
#   INFOPLANE_CONF    the conf directory, of any name (default: conf/ of this checkout): the driver
#                     reads its infoplane-defaults.conf; its log4j2.properties configures the logging
#                     of driver and executors
#   INFOPLANE_GPU=1   also apply conf/spark-gpu.conf (GPU executors; build with -Pcuda)
#   SPARK_SUBMIT      the spark-submit command (default: $SPARK_HOME/bin/spark-submit)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
conf="${INFOPLANE_CONF:-$root/conf}"
[ -d "$conf" ] || { echo "submit.sh: no conf directory at $conf (INFOPLANE_CONF)" >&2; exit 1; }
conf="$(cd "$conf" && pwd)"
submit="${SPARK_SUBMIT:-${SPARK_HOME:+$SPARK_HOME/bin/}spark-submit}"

spark_args=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do spark_args+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "submit.sh: no InfoPlane command after '--' (e.g. -- analyze --archive URI)" >&2; exit 2; }

# The commands of the full jar (module app; InfoPlaneCli.addFullJarCommand); every other one runs from the analysis jar.
case "$1" in
  train|extract|demo|experiment|benchmark) jar_name=infoplane-jobs.jar; jar_module=app ;;
  *) jar_name=infoplane-analysis.jar; jar_module=cli ;;
esac
if [ -n "${INFOPLANE_JAR:-}" ]; then
  jar="$INFOPLANE_JAR"
elif [ -n "${INFOPLANE_JAR_DIR:-}" ]; then
  jar="$INFOPLANE_JAR_DIR/$jar_name"
else
  jar="$root/$jar_module/target/$jar_name"
fi
[ -f "$jar" ] || { echo "submit.sh: no jar at $jar (build it: mvn -B -DskipTests package)" >&2; exit 1; }

# The driver reads infoplane-defaults.conf through infoplane.conf.dir. Executors read their logging
# file when their JVM starts: on YARN, --files has put it in the container's working directory by
# then (the relative name); on a standalone cluster (and Kubernetes) --files arrives only after the
# start, so they need the file at the same absolute path on their node (a shared installation, or
# the image's /opt/infoplane/conf). log4j2 takes the ones of the two that exist; with neither, Spark's
# own defaults apply (INFO from everything).
# A collection every 10 s, as bin/infoplane asks for: ND4J frees native buffers only when their Java
# objects are collected, and training, capture and extraction allocate little on the heap
# (docs/training.md#memory).
gc_opts="-XX:G1PeriodicGCInterval=10000"
driver_opts="$gc_opts -Dinfoplane.conf.dir=$conf -Dlog4j2.configurationFile=file:$conf/log4j2.properties"
executor_opts="$gc_opts -Dlog4j2.configurationFile=log4j2.properties,file:$conf/log4j2.properties"

extra=()
if [ "${INFOPLANE_GPU:-0}" = 1 ]; then
  extra+=(--properties-file "$conf/spark-gpu.conf" --files "$conf/gpu-discovery.sh,$conf/log4j2.properties")
else
  extra+=(--files "$conf/log4j2.properties")
fi

# ND4J's OpenBLAS falls back to SSE3 kernels on CPUs newer than itself: OPENBLAS_CORETYPE (e.g.
# SkylakeX, Haswell), when set, is passed to the driver's and the executors' environments (OpenBLAS
# reads it when it loads), whose CPUs this script cannot see. Each JVM checks the estimator's BLAS
# calls before its first estimate and refuses a wrong kernel with one line naming the way out.
if [ -n "${OPENBLAS_CORETYPE:-}" ]; then
  extra+=(--conf "spark.executorEnv.OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE"
          --conf "spark.yarn.appMasterEnv.OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE"
          --conf "spark.kubernetes.driverEnv.OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE")
fi

# spark-submit adds Spark's Java 17 module openings (--add-opens) to the driver and executors
# itself; only a JVM started without it (bin/infoplane, tests) needs them spelled out.
exec "$submit" \
  --class org.infoplane.cli.InfoPlaneCli \
  --driver-java-options "$driver_opts" \
  --conf "spark.executor.extraJavaOptions=$executor_opts" \
  --conf spark.executorEnv.OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" \
  --conf spark.task.maxFailures="${INFOPLANE_TASK_MAX_FAILURES:-8}" \
  "${extra[@]}" \
  "${spark_args[@]}" \
  "$jar" "$@"
