#!/usr/bin/env python3
"""The tables of docs/benchmarks.md, "Table maintenance", from the maintenance benchmark's files.

Usage: python3 benchmarks/maintenance-table.py FILE.jsonl [FILE.jsonl ...]

Reads the per-analysis lines that ``bin/infoplane benchmark --case maintenance`` writes (one JSON
object per analysis: analysis, mode, seconds, cpu_seconds where the benchmark measured it, and every
tenth analysis metadata_bytes and load_average), from one file with both modes alternating or one
file per mode (``--modes on`` and ``--modes off`` side by side), and prints:

- per mode, the analyses measured, the mean and median wall time and the mean CPU time of the first
  and last windows of up to 100 analyses (half the analyses when fewer than 200) and their ratios;
- per mode, the mean wall and CPU time of each block of 100 analyses;
- where both modes ran the same analysis alternating, the median ratio on / off within a pair;
- the metadata bytes and the load average over time.
"""
import json
import statistics
import sys

MODES = ["maintenance on", "maintenance off"]


def fmt(x, spec=".1f"):
    return "" if x is None else format(x, spec)


def window_row(mode, rows):
    n = len(rows)
    w = min(100, n // 2) if n >= 2 else n
    wall = [r["seconds"] for r in rows]
    cpu = [r.get("cpu_seconds") for r in rows]
    has_cpu = all(c is not None for c in cpu)
    f, l = wall[:w], wall[n - w:]
    cf = statistics.mean(cpu[:w]) if has_cpu else None
    cl = statistics.mean(cpu[n - w:]) if has_cpu else None
    return (f"| {mode} | {n} | {w} | {statistics.mean(f):.1f} | {statistics.mean(l):.1f} | "
            f"{statistics.mean(l) / statistics.mean(f):.2f} | {statistics.median(f):.1f} | "
            f"{statistics.median(l):.1f} | {statistics.median(l) / statistics.median(f):.2f} | "
            f"{fmt(cf)} | {fmt(cl)} | {fmt(cl / cf if has_cpu else None, '.2f')} |")


def main(paths):
    rows = []
    for path in paths:
        rows += [dict(json.loads(line), file=path) for line in open(path, encoding="utf-8") if line.strip()]
    by = {m: sorted((r for r in rows if r["mode"] == m), key=lambda r: r["analysis"]) for m in MODES}
    print("| mode | analyses | window | first: mean s | last: mean s | last/first (mean) | first: median s "
          "| last: median s | last/first (median) | first: mean CPU s | last: mean CPU s | last/first (CPU) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for m in MODES:
        if by[m]:
            print(window_row(m, by[m]))

    print("\n| analyses | " + " | ".join(f"{m}: mean s | {m}: mean CPU s" for m in MODES if by[m]) + " |")
    print("| --- | " + " | ".join("---: | ---:" for m in MODES if by[m]) + " |")
    last = max(len(by[m]) for m in MODES)
    for start in range(0, last, 100):
        cells = []
        for m in MODES:
            if not by[m]:
                continue
            block = by[m][start:start + 100]
            if not block:
                cells.append(" | ")
                continue
            cpu = [r.get("cpu_seconds") for r in block]
            cells.append(f"{statistics.mean(r['seconds'] for r in block):.2f} | "
                         + (f"{statistics.mean(cpu):.2f}" if all(c is not None for c in cpu) else ""))
        end = min(start + 100, last)
        print(f"| {start + 1}–{end} | " + " | ".join(cells) + " |")

    on = {r["analysis"]: r for r in by[MODES[0]]}
    off = {r["analysis"]: r for r in by[MODES[1]]}
    # Pairs only where both modes alternated in one process (the same moment's load).
    paired = [i for i in sorted(set(on) & set(off)) if on[i]["file"] == off[i]["file"]]
    if len(paired) >= 2:
        w = min(100, len(paired) // 2)
        ratios = [on[i]["seconds"] / off[i]["seconds"] for i in paired]
        print(f"\nOn / off, the two analyses of the same pair (the same moment's load), median: first {w} "
              f"{statistics.median(ratios[:w]):.2f}, last {w} {statistics.median(ratios[-w:]):.2f}")

    print("\n| after analysis | metadata bytes, on | load average, on | metadata bytes, off | load average, off |")
    print("| ---: | ---: | --- | ---: | --- |")
    marks = sorted({r["analysis"] for m in MODES for r in by[m] if "metadata_bytes" in r})
    for i in marks:
        a, b = on.get(i, {}), off.get(i, {})
        print(f"| {i} | {fmt(a.get('metadata_bytes'), ',')} | {a.get('load_average', '')} | "
              f"{fmt(b.get('metadata_bytes'), ',')} | {b.get('load_average', '')} |")


if __name__ == "__main__":
    main(sys.argv[1:])
