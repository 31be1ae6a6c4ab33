"""Plain-NumPy peer of one IP point of the tensor-kernel estimator (see docs/benchmarks.md).

The same work as ``BatchBenchmarks.ipPoint`` on the same kind of data, written the way a careful
NumPy user would: squared distances by one float32 GEMM (shifted by the first sample, as the project
does), the alignment search over linspace(0.1, 10 * mean distance, 300) vectorised over the pairs
(chunks of grid points, all exponentials by ``numpy.exp``), the Gaussian kernel, and LAPACK
eigenvalues (``numpy.linalg.eigvalsh``) of K_T, K_X * K_T and K_T * K_Y. The input terms K_X, K_Y,
S(X), S(Y) are prepared once, as in the JMH benchmark.

Run it single-threaded, like the JMH run it is compared with::

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 python3 benchmarks/numpy_peer.py 100:784 100:65536

Prints one JSON object per configuration: median and minimum milliseconds of ``ipPoint``,
``distances``, ``widthSearch``, ``sgemm``, ``eigenvalues`` and ``baselineFloat32`` (sgemm + three
eigenvalue calls: the float32 floor), the bodies run interleaved in rounds. Usage:
``numpy_peer.py [B:D ...] [--rounds R]``.
"""
import json
import sys
import time

import numpy as np

ALPHA = 1.01
SIGMA_X = 8.0
SIGMA_Y = 0.1
GRID = 300
CLASSES = 10


def squared_distances(x):
    xc = x - x[0]
    g = xc @ xc.T
    n = np.diag(g).astype(np.float64)
    d = n[:, None] + n[None, :] - 2.0 * g.astype(np.float64)
    np.maximum(d, 0.0, out=d)
    np.fill_diagonal(d, 0.0)
    return d


def alignment_width(d, ky):
    n = d.shape[0]
    iu = np.triu_indices(n, 1)
    dp = d[iu]
    yp = ky[iu]
    hi = 10.0 * 2.0 * np.sqrt(dp).sum() / (n * n)
    grid = np.linspace(0.1, hi, GRID)
    neg = -1.0 / (grid * grid)
    cross = np.empty(GRID)
    self_ = np.empty(GRID)
    step = max(1, (1 << 22) // len(dp))  # about 32 MB of kernel values at a time
    for s0 in range(0, GRID, step):
        k = np.exp(np.multiply.outer(neg[s0:s0 + step], dp))
        cross[s0:s0 + step] = k @ yp
        self_[s0:s0 + step] = np.einsum("ij,ij->i", k, k)
    a = (np.trace(ky) + 2.0 * cross) / (np.sqrt(n + 2.0 * self_) * np.sqrt((ky * ky).sum()))
    return grid[int(np.argmax(a))]  # the first maximum


def entropy(k):
    lam = np.linalg.eigvalsh(k / np.trace(k))
    lam = lam[lam > 0.0]
    return np.log2((lam ** ALPHA).sum()) / (1.0 - ALPHA)


def interleaved(bodies, reps):
    """Runs the bodies one after the other in rounds (after one warm-up round), so that load from
    other processes hits each alike; the median and minimum milliseconds of each."""
    for f in bodies.values():
        f()
    times = {k: [] for k in bodies}
    for _ in range(reps):
        for k, f in bodies.items():
            t0 = time.perf_counter()
            f()
            times[k].append((time.perf_counter() - t0) * 1e3)
    out = {}
    for k, v in times.items():
        v.sort()
        out[k] = {"median": v[len(v) // 2], "min": v[0]}
    return out


def run(b, dim, reps):
    rng = np.random.default_rng(20240601)
    t = rng.random((b, dim), dtype=np.float32)
    x = rng.random((b, 784), dtype=np.float32)
    labels = rng.integers(0, CLASSES, b)
    kx = np.exp(-squared_distances(x) / SIGMA_X ** 2)
    onehot = np.eye(CLASSES)[labels]
    ky = np.exp(-((onehot[:, None, :] - onehot[None, :, :]) ** 2).sum(-1) / SIGMA_Y ** 2)
    hx, hy = entropy(kx), entropy(ky)

    def ip_point():
        d = squared_distances(t)
        s = alignment_width(d, ky)
        kt = np.exp(-d / (s * s))
        ht = entropy(kt)
        return hx + ht - entropy(kx * kt), ht + hy - entropy(kt * ky)

    d = squared_distances(t)
    kt = np.exp(-d / alignment_width(d, ky) ** 2)
    kxt, kty = kx * kt, kt * ky
    tc = np.ascontiguousarray(t - t.mean(0))

    def baseline():
        tc @ tc.T
        np.linalg.eigvalsh(kt)
        np.linalg.eigvalsh(kxt)
        np.linalg.eigvalsh(kty)

    out = {"b": b, "d": dim, "reps": reps, "numpy": np.__version__}
    out.update(interleaved({
        "ipPoint": ip_point,
        "baselineFloat32": baseline,
        "distances": lambda: squared_distances(t),
        "sgemm": lambda: tc @ tc.T,
        "widthSearch": lambda: alignment_width(d, ky),
        "eigenvalues": lambda: np.linalg.eigvalsh(kt),
    }, reps))
    return out


def main(args):
    rounds = None
    if "--rounds" in args:
        i = args.index("--rounds")
        rounds = int(args[i + 1])
        args = args[:i] + args[i + 2:]
    for spec in args or ["100:784", "100:65536", "1000:784"]:
        b, dim = (int(v) for v in spec.split(":"))
        print(json.dumps(run(b, dim, rounds or (30 if b <= 200 else 7))), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
