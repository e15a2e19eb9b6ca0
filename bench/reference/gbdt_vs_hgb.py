#!/usr/bin/python3
"""Accuracy of models/gbdt defaults vs scikit-learn HistGradientBoosting
defaults on the shared datasets, same 5-fold splits (stratified for
classification, shuffle, random_state=0). Categorical columns are category
codes (NaN missing); HGB runs twice: default (codes as numbers) and with
categorical_features set. Run from the repository root:

  /usr/bin/python3 bench/reference/gbdt_vs_hgb.py [--data ../shared/datasets] [--params JSON]
"""
import os
os.environ.setdefault("OMP_NUM_THREADS", "1")  # OpenMP spin-waits badly on a shared box
import argparse, json, subprocess, tempfile
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error
from sklearn.model_selection import KFold, StratifiedKFold

SETS = [  # name, target, dropped columns
    ("titanic", "survived", ["alive"]),
    ("penguins", "species", []),
    ("tips", "tip", []),
    ("mpg", "mpg", ["name"]),
    ("diamonds", "price", []),
    ("iris", "species", []),
]

ap = argparse.ArgumentParser()
ap.add_argument("--data", default=os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "datasets")))
ap.add_argument("--params", default="")
ap.add_argument("--folds", type=int, default=5)
args = ap.parse_args()
tmp = tempfile.mkdtemp(prefix="gbdtref")
binary = os.path.join(tmp, "gbdtref")
subprocess.run(["go", "build", "-o", binary, "./bench/reference/gbdtref"], check=True)

print("| dataset | metric | gbdt (ours) | HGB default | HGB categorical |")
print("|---|---|---|---|---|")
for name, target, drop in SETS:
    df = pd.read_csv(os.path.join(args.data, name + ".csv")).drop(columns=drop)
    df = df[df[target].notna()].reset_index(drop=True)
    y = df.pop(target)
    cls = y.dtype == object or y.dtype == bool or name == "titanic"
    if cls:
        y = pd.Series(pd.Categorical(y).codes)
    cats = []
    for j, c in enumerate(df.columns):
        if df[c].dtype == object or df[c].dtype == bool:
            codes = pd.Categorical(df[c]).codes.astype(float)
            codes[codes < 0] = np.nan
            df[c] = codes
            cats.append(j)
    X = df.to_numpy(dtype=float)
    yv = y.to_numpy(dtype=float)
    k = int(yv.max()) + 1 if cls else 0
    split = (StratifiedKFold if cls else KFold)(args.folds, shuffle=True, random_state=0)
    res = {"ours": [], "hgb": [], "hgbcat": []}
    for f, (tr, te) in enumerate(split.split(X, yv)):
        paths = []
        for part, rows in (("train", tr), ("test", te)):
            p = os.path.join(tmp, "%s_%d_%s.csv" % (name, f, part))
            pd.DataFrame(np.column_stack([X[rows], yv[rows]])).to_csv(p, index=False, na_rep="nan")
            paths.append(p)
        cmd = [binary, "-train", paths[0], "-test", paths[1], "-classes", str(k),
               "-cats", ",".join(map(str, cats))]
        if args.params:
            cmd += ["-params", args.params]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        pred = np.array([[float(v) for v in line.split(",")] for line in out.split()])
        preds = {"ours": pred if cls else pred[:, 0]}
        for key, cf in (("hgb", None), ("hgbcat", [j in cats for j in range(X.shape[1])] if cats else None)):
            if key == "hgbcat" and cf is None:
                preds[key] = preds["hgb"]
                continue
            m = (HistGradientBoostingClassifier if cls else HistGradientBoostingRegressor)(
                random_state=0, categorical_features=cf)
            m.fit(X[tr], yv[tr])
            preds[key] = m.predict_proba(X[te]) if cls else m.predict(X[te])
        for key, p in preds.items():
            if cls:
                res[key].append((log_loss(yv[te], p, labels=list(range(k))),
                                 accuracy_score(yv[te], p.argmax(1))))
            else:
                res[key].append((np.sqrt(mean_squared_error(yv[te], p)),))
    fmt = lambda key, i: "%.4f" % np.mean([r[i] for r in res[key]])
    if cls:
        print("| %s | log loss | %s | %s | %s |" % (name, fmt("ours", 0), fmt("hgb", 0), fmt("hgbcat", 0)))
        print("| %s | accuracy | %s | %s | %s |" % (name, fmt("ours", 1), fmt("hgb", 1), fmt("hgbcat", 1)))
    else:
        print("| %s | RMSE | %s | %s | %s |" % (name, fmt("ours", 0), fmt("hgb", 0), fmt("hgbcat", 0)))
