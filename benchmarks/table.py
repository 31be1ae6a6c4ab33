#!/usr/bin/env python3
"""Turns the JSON of benchmarks/run.sh ... -rf json -rff FILE into the Markdown table of docs/benchmarks.md.

Usage: python3 benchmarks/table.py FILE.json
"""
import json
import sys

COLUMNS = ["distances", "gemm", "widthSearch", "eigenvalues", "baseline", "ipPoint"]


def main(path):
    rows = {}
    for r in json.load(open(path)):
        name = r["benchmark"].rsplit(".", 1)[1]
        key = (int(r["params"]["b"]), int(r["params"]["d"]))
        m = r["primaryMetric"]
        rows.setdefault(key, {})[name] = (m["score"], m["scoreError"])
    head = "| B | D | " + " | ".join(COLUMNS) + " | ipPoint / baseline |"
    print(head)
    print("|" + " --- |" * (len(COLUMNS) + 3))
    for key in sorted(rows):
        cells = []
        for c in COLUMNS:
            v = rows[key].get(c)
            cells.append("–" if v is None else fmt(*v))
        ratio = "–"
        if "ipPoint" in rows[key] and "baseline" in rows[key]:
            ratio = "%.2f" % (rows[key]["ipPoint"][0] / rows[key]["baseline"][0])
        print("| %d | %d | %s | %s |" % (key[0], key[1], " | ".join(cells), ratio))


def fmt(score, err):
    digits = 2 if score < 10 else (1 if score < 100 else 0)
    e = "n/a" if err != err else ("%.*f" % (digits, err))  # NaN error when there is one iteration
    return "%.*f ± %s" % (digits, score, e)


if __name__ == "__main__":
    main(sys.argv[1])
