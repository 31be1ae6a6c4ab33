#!/usr/bin/env python3
"""Markdown tables of benchmarks/compare.sh OUTDIR: JMH before/after rows and the NumPy peer.

Usage: python3 benchmarks/compare_table.py OUTDIR
"""
import glob
import json
import os
import sys


def jmh_rows(outdir):
    rows = {}
    for path in sorted(glob.glob(os.path.join(outdir, "jmh-*.json"))):
        for r in json.load(open(path)):
            name = r["benchmark"].rsplit(".", 1)[1]
            key = (int(r["params"]["b"]), int(r["params"]["d"]))
            m = r["primaryMetric"]
            rows.setdefault(key, {})[name] = (m["score"], m["scoreError"])
    return rows


def fmt(v):
    if v is None:
        return "–"
    score, err = v
    digits = 3 if score < 1 else 2 if score < 10 else 1 if score < 100 else 0
    e = "n/a" if err != err else "%.*f" % (digits, err)
    return "%.*f ± %s" % (digits, score, e)


def main(outdir):
    rows = jmh_rows(outdir)
    peer = {}
    for line in open(os.path.join(outdir, "numpy.jsonl")):
        p = json.loads(line)
        peer[(p["b"], p["d"])] = p
    print("JMH, ms per operation (mean ± 99.9 % half-width):\n")
    cols = ["widthSearchExhaustive", "widthSearch", "distances", "distancesFloat32", "gemm", "sgemm",
            "eigenvalues", "baseline", "baselineFloat32", "ipPointBefore", "ipPoint"]
    print("| B | D | " + " | ".join(cols) + " |")
    print("|" + " --- |" * (len(cols) + 2))
    for key in sorted(rows):
        print("| %d | %d | %s |" % (key[0], key[1], " | ".join(fmt(rows[key].get(c)) for c in cols)))
    print("\nRatios (JMH means; peer: median of its repetitions, same run, same threads):\n")
    print("| B | D | width search before / after | distances f64 / f32 | ipPoint before / after"
          " | ipPoint / float32 floor | peer ipPoint (ms) | peer floor (ms) | peer ipPoint / ipPoint |")
    print("|" + " --- |" * 9)
    for key in sorted(rows):
        r = rows[key]
        p = peer.get(key)
        ratio = lambda a, b: "%.1f" % (r[a][0] / r[b][0]) if a in r and b in r else "–"
        pm = p["ipPoint"]["median"] if p else None
        print("| %d | %d | %s | %s | %s | %s | %s | %s | %s |" % (
            key[0], key[1], ratio("widthSearchExhaustive", "widthSearch"), ratio("distances", "distancesFloat32"),
            ratio("ipPointBefore", "ipPoint"), "%.2f" % (r["ipPoint"][0] / r["baselineFloat32"][0]),
            "%.1f" % pm if p else "–", "%.1f" % p["baselineFloat32"]["median"] if p else "–",
            "%.1f" % (pm / r["ipPoint"][0]) if p else "–"))
    print("\nNumPy peer, ms (median / min):\n")
    pc = ["distances", "widthSearch", "sgemm", "eigenvalues", "baselineFloat32", "ipPoint"]
    print("| B | D | " + " | ".join(pc) + " |")
    print("|" + " --- |" * (len(pc) + 2))
    for key in sorted(peer):
        p = peer[key]
        print("| %d | %d | %s |" % (key[0], key[1], " | ".join(
            "%.2f / %.2f" % (p[c]["median"], p[c]["min"]) for c in pc)))


if __name__ == "__main__":
    main(sys.argv[1])
