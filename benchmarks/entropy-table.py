#!/usr/bin/env python3
"""Markdown table of entropy-benchmark.sh results: each randomized case against the exact case of
the same N (errors in bits on S(T), I(X;T), I(T;Y), and the reported error estimates)."""
import json
import sys

rows = [json.loads(l) for f in sys.argv[1:] for l in open(f) if l.strip()]
exact = {r["n"]: r for r in rows if r["method"] == "exact"}
print("| N | method | entropies s | entropies CPU s | distances s | peak RSS MB | S(T) | I(X;T) | I(T;Y) | "
      "error S(T) | error I(X;T) | error I(T;Y) | reported (1σ) S(T) / I(X;T) / I(T;Y) | speed-up wall | speed-up CPU | load |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |")
for r in sorted(rows, key=lambda r: (r["n"], r["method"] != "exact", r["method"])):
    e = exact.get(r["n"])
    def err(q):
        return "%.4f" % abs(r[q] - e[q]) if e and r is not e else ("—" if r is e else "n/a")
    speed = "%.1f×" % (e["seconds_entropies"] / r["seconds_entropies"]) if e and r is not e else "—"
    cpu = lambda x: x.get("cpu_seconds_entropies")
    cspeed = "%.1f×" % (cpu(e) / cpu(r)) if e and r is not e and cpu(e) and cpu(r) else "—"
    rep = "—" if r["method"] == "exact" else "%.4f / %.4f / %.4f" % (r["h_t_err"], r["i_xt_err"], r["i_ty_err"])
    print("| %d | %s | %.1f | %s | %.1f | %d | %.4f | %.4f | %.4f | %s | %s | %s | %s | %s | %s | %s |" % (
        r["n"], r["method"], r["seconds_entropies"], "%.1f" % cpu(r) if cpu(r) else "n/a", r["seconds_distances"], r["peak_rss_mb"], r["h_t"],
        r["i_xt"], r["i_ty"], err("h_t"), err("i_xt"), err("i_ty"), rep, speed, cspeed, r["load_average"]))
