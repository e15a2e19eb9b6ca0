#!/usr/bin/python3
"""scikit-learn reference numbers for models/forest (random_forest,
extra_trees, cart) on the shared real datasets.

    /usr/bin/python3 bench/reference/forest.py [datasets dir] [out dir]
        # defaults: ../shared/datasets and $TMPDIR/forestref
    FOREST_REF_DIR=/tmp/forestref go test ./models/forest -run TestReferenceRealData -v
    /usr/bin/python3 bench/reference/forest.py golden [datasets dir]
        # the same files for the datasets under 5,000 rows (all but diamonds)
        # into models/forest/testdata, which the Go test reads when
        # FOREST_REF_DIR is not set (in CI, without Python)
    /usr/bin/python3 bench/reference/forest.py synthetic
        # CPU ms per tree on the 20k x 20 shapes of the Go benchmarks
        # (go test ./models/forest -bench Fit), 1 thread

The script encodes each dataset (string/bool columns -> integer category codes
in sorted order, NaN kept), splits it 80/20 with numpy RandomState(0), writes
<out>/<name>_train.csv, <name>_test.csv and <out>/meta.json (target, number of
classes, category counts per feature) for the Go side, then fits scikit-learn
RandomForest / ExtraTrees / DecisionTree with default parameters and writes
their test scores and timings to <out>/sklearn.json.

The comparison is not apples to apples on two points, both in scikit-learn's
disfavour or neutral: scikit-learn 1.2 trees accept no NaN, so its inputs have
NaN replaced by -999 (a value below every other, i.e. "missing goes left"),
and its category codes are plain ordinal numbers, while the Go models see NaN
and native categorical features. Both sides fit with seed 0 and 2 threads
(n_jobs=2 / Config.Jobs=2); accuracy for classification, RMSE and R2 for
regression. Timings are medians of 3 runs: wall-clock fit, process CPU time of
the fit (all threads; robust to a busy machine) wall-clock predict and its CPU time.
Written against scikit-learn 1.2 (Debian python3-sklearn).
"""

import json
import os
import tempfile
import sys
import time

import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

DATASETS = [
    # name, target, columns to drop
    ("titanic", "survived", ["alive"]),
    ("penguins", "species", []),
    ("tips", "tip", []),
    ("mpg", "mpg", ["name"]),
    ("diamonds", "price", []),
    ("iris", "species", []),
]

REPEATS = 3  # timing: median of this many fits
GOLDEN_MAX_ROWS = 5000  # golden mode leaves out bigger datasets


def encode(df, target):
    """Returns X (float, NaN kept), y, number of classes (0 = regression),
    feature names and category counts per feature."""
    y_raw = df[target]
    X = df.drop(columns=[target])
    cats = []
    cols = {}
    for c in X.columns:
        s = X[c]
        if s.dtype == object or s.dtype == bool:
            s = s.astype("object")
            levels = sorted(str(v) for v in s.dropna().unique())
            code = {v: i for i, v in enumerate(levels)}
            cols[c] = np.array([np.nan if pd.isna(v) else code[str(v)] for v in s], dtype=np.float64)
            cats.append(len(levels))
        else:
            cols[c] = s.to_numpy(dtype=np.float64)
            cats.append(0)
    X = np.column_stack([cols[c] for c in X.columns])
    if y_raw.dtype == object or y_raw.dtype == bool or target == "survived":
        levels = sorted(str(v) for v in y_raw.unique())
        code = {v: i for i, v in enumerate(levels)}
        y = np.array([code[str(v)] for v in y_raw], dtype=np.float64)
        k = len(levels)
    else:
        y = y_raw.to_numpy(dtype=np.float64)
        k = 0
    return X, y, k, list(df.drop(columns=[target]).columns), cats


def write_csv(path, names, X, y):
    with open(path, "w") as f:
        f.write(",".join(names + ["y"]) + "\n")
        for row, yi in zip(X, y):
            f.write(",".join("" if np.isnan(v) else repr(float(v)) for v in row) + "," + repr(float(yi)) + "\n")


def score(k, y, p):
    if k:
        return {"accuracy": float(np.mean(p == y))}
    rmse = float(np.sqrt(np.mean((p - y) ** 2)))
    r2 = 1 - np.sum((p - y) ** 2) / np.sum((y - y.mean()) ** 2)
    return {"rmse": rmse, "r2": float(r2)}


def synthetic():
    """scikit-learn CPU time per tree on data shaped like the Go benchmarks:
    regression y = sin(3 x0) + x1^2 + 0.5 x2 x3 + noise on 20 normal
    features, classification (x0 > .5) xor (x1 > .5) on 20 uniform ones."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20000, 20))
    y = np.sin(3 * X[:, 0]) + X[:, 1] ** 2 + 0.5 * X[:, 2] * X[:, 3] + 0.1 * rng.normal(size=20000)
    U = rng.uniform(size=(20000, 20))
    yc = ((U[:, 0] > .5) != (U[:, 1] > .5)).astype(int)
    for name, m, XX, yy in [
            ("rf-reg", RandomForestRegressor(10, n_jobs=1), X, y),
            ("et-reg", ExtraTreesRegressor(10, n_jobs=1), X, y),
            ("cart-reg", DecisionTreeRegressor(), X, y),
            ("rf-cls", RandomForestClassifier(10, n_jobs=1), U, yc),
            ("et-cls", ExtraTreesClassifier(10, n_jobs=1), U, yc),
            ("cart-cls", DecisionTreeClassifier(), U, yc)]:
        best = 1e9
        for _ in range(2):
            c = time.process_time()
            m.fit(XX, yy)
            best = min(best, time.process_time() - c)
        print(f"{name:9s} cpu ms/tree {best * 1000 / getattr(m, 'n_estimators', 1):.1f}", flush=True)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "synthetic":
        synthetic()
        return
    args = sys.argv[1:]
    golden = bool(args) and args[0] == "golden"
    if golden:
        args = args[1:]
    src = args[0] if args else os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "datasets"))
    out = args[1] if len(args) > 1 else os.path.join(tempfile.gettempdir(), "forestref")
    if golden:
        out = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models", "forest", "testdata"))
    os.makedirs(out, exist_ok=True)
    meta, results = {}, {}
    for name, target, drop in DATASETS:
        df = pd.read_csv(os.path.join(src, name + ".csv")).drop(columns=drop)
        df = df[df[target].notna()].reset_index(drop=True)
        if golden and len(df) > GOLDEN_MAX_ROWS:
            continue
        X, y, k, names, cats = encode(df, target)
        perm = np.random.RandomState(0).permutation(len(y))
        ntr = int(round(0.8 * len(y)))
        tr, te = np.sort(perm[:ntr]), np.sort(perm[ntr:])
        write_csv(os.path.join(out, name + "_train.csv"), names, X[tr], y[tr])
        write_csv(os.path.join(out, name + "_test.csv"), names, X[te], y[te])
        meta[name] = {"classes": k, "categories": cats, "features": names}
        Xs = np.where(np.isnan(X), -999.0, X)
        models = {
            "random_forest": (RandomForestClassifier if k else RandomForestRegressor)(random_state=0, n_jobs=2),
            "extra_trees": (ExtraTreesClassifier if k else ExtraTreesRegressor)(random_state=0, n_jobs=2),
            "cart": (DecisionTreeClassifier if k else DecisionTreeRegressor)(random_state=0),
        }
        results[name] = {}
        for mname, m in models.items():
            fits, cpus, preds, pcpus = [], [], [], []
            for _ in range(REPEATS):
                c0 = time.process_time()
                t0 = time.perf_counter()
                m.fit(Xs[tr], y[tr])
                t1 = time.perf_counter()
                c1 = time.process_time()
                p = m.predict(Xs[te])
                t2 = time.perf_counter()
                pcpus.append(time.process_time() - c1)
                fits.append(t1 - t0)
                cpus.append(c1 - c0)
                preds.append(t2 - t1)
            r = score(k, y[te], p)
            r["fit_seconds"] = float(np.median(fits))
            r["fit_cpu_seconds"] = float(np.median(cpus))
            r["predict_seconds"] = float(np.median(preds))
            r["predict_cpu_seconds"] = float(np.median(pcpus))
            results[name][mname] = r
            print(f"{name:9s} {mname:14s} " + " ".join(f"{a}={b:.4g}" for a, b in r.items()), flush=True)
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    with open(os.path.join(out, "sklearn.json"), "w") as f:
        json.dump({"sklearn": sklearn.__version__, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
