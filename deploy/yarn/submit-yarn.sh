#!/usr/bin/env bash
# Analysis on YARN (cluster mode: the driver runs in the application master). HADOOP_CONF_DIR must
# point at the cluster's configuration. Extra arguments go to 'analyze'.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
archive="${1:?usage: submit-yarn.sh hdfs://NN/archive hdfs://NN/warehouse [analyze options]}"
warehouse="${2:?usage: submit-yarn.sh hdfs://NN/archive hdfs://NN/warehouse [analyze options]}"
shift 2
exec "$here/submit.sh" \
  --master yarn --deploy-mode cluster \
  --queue "${YARN_QUEUE:-default}" \
  --num-executors "${NUM_EXECUTORS:-4}" --executor-cores 2 --executor-memory 8g \
  --driver-memory 4g \
  --conf spark.executor.memoryOverhead=2g \
  --conf spark.yarn.maxAppAttempts=2 \
  --conf spark.yarn.executor.failuresValidityInterval=1h \
  -- analyze --archive "$archive" --warehouse "$warehouse" "$@"
