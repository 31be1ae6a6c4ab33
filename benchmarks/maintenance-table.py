#!/usr/bin/env python3
"""The table of docs/benchmarks.md, "Table maintenance", from the maintenance benchmark's files.

Usage: python3 benchmarks/maintenance-table.py docs/maintenance-benchmark.jsonl

Reads the per-analysis lines that ``bin/infoplane benchmark --case maintenance`` writes (one JSON
object per analysis: analysis, mode, seconds, and every tenth analysis metadata_bytes and
load_average) and prints, per mode, the analyses measured, the mean and median wall time of the
first and last windows of up to 100 analyses (half the analyses when fewer than 200) and their
ratio, the median ratio on / off within a pair (both run within a minute, under the same load), then
the metadata bytes over time.
Only pairs of analyses that finished in both modes are counted.
"""
import json
import statistics
import sys


def main(path):
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    modes = ["maintenance on", "maintenance off"]
    by = {m: {r["analysis"]: r for r in rows if r["mode"] == m} for m in modes}
    done = sorted(set(by[modes[0]]) & set(by[modes[1]]))
    n = len(done)
    w = min(100, n // 2) if n >= 2 else n
    print(f"{n} analyses per mode (both modes finished); windows of {w}\n")
    print("| mode | analyses | first {0}: mean s | last {0}: mean s | last/first (mean) "
          "| first {0}: median s | last {0}: median s | last/first (median) |".format(w))
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for m in modes:
        s = [by[m][i]["seconds"] for i in done]
        f, l = s[:w], s[n - w:]
        print(f"| {m} | {n} | {statistics.mean(f):.1f} | {statistics.mean(l):.1f} | "
              f"{statistics.mean(l) / statistics.mean(f):.2f} | {statistics.median(f):.1f} | "
              f"{statistics.median(l):.1f} | {statistics.median(l) / statistics.median(f):.2f} |")
    ratios = [by[modes[0]][i]["seconds"] / by[modes[1]][i]["seconds"] for i in done]
    print(f"\nOn / off, the two analyses of the same pair (the same moment's load), median: first {w} "
          f"{statistics.median(ratios[:w]):.2f}, last {w} {statistics.median(ratios[n - w:]):.2f}")
    print("\n| after analysis | metadata bytes, on | metadata bytes, off | load average (1, 5, 15 min) |")
    print("| ---: | ---: | ---: | --- |")
    for i in done:
        on, off = by[modes[0]][i], by[modes[1]][i]
        if "metadata_bytes" in on and "metadata_bytes" in off:
            print(f"| {i} | {on['metadata_bytes']:,} | {off['metadata_bytes']:,} | {off.get('load_average', '')} |")


if __name__ == "__main__":
    main(sys.argv[1])
