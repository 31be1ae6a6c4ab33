#!/usr/bin/env bash
# Spark GPU discovery script for InfoPlane executors
# (spark.executor.resource.gpu.discoveryScript). Spark runs it once per executor and expects one
# line of JSON on stdout: {"name": "gpu", "addresses": ["0", "1", ...]}.
#
# Assumptions, stated so that a surprise is easy to spot:
#   - NVIDIA GPUs, visible to this process through nvidia-smi on PATH;
#   - the addresses are the CUDA device indices as nvidia-smi lists them; if CUDA_VISIBLE_DEVICES
#     is set (by a container runtime or YARN), its entries are the addresses instead;
#   - no GPU (or no nvidia-smi) prints an empty list: Spark then refuses to start an executor that
#     asks for GPUs, which is the loud failure we want.
set -euo pipefail
if [ -n "${CUDA_VISIBLE_DEVICES:-}" ]; then
  addresses=$(echo "$CUDA_VISIBLE_DEVICES" | tr ',' '\n' | sed '/^$/d' | sed 's/.*/"&"/' | paste -sd, -)
elif command -v nvidia-smi >/dev/null 2>&1; then
  addresses=$(nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null | sed 's/ //g;/^$/d' | sed 's/.*/"&"/' | paste -sd, -)
else
  addresses=""
fi
echo "{\"name\": \"gpu\", \"addresses\": [${addresses}]}"
