#!/usr/bin/python3
"""End-to-end comparison on ../shared/datasets: our CLI versus scikit-learn.

For each dataset and each of --splits seeds (0, 1, ...): an 80/20 split
(stratified for classification),
then `automl fit` on the train part and `automl predict` on the test part, and
scikit-learn baselines on the very same split:
  baseline  majority class / mean
  rf        RandomForest{Classifier,Regressor}() defaults
  hgb       HistGradientBoosting{Classifier,Regressor}() defaults (native NaN)
  linear    LogisticRegression(max_iter=1000) / Ridge() on a standard pipeline
            (median imputation + scaling, one-hot for strings)
Metric: accuracy for classification (and the log loss of the predicted
probabilities, columns *_ll), RMSE for regression (and R2), averaged
over the splits (small test sets are noisy: one split of tips has 49 rows, so
use --splits 10 on the small sets); automl_sd is the spread of ours across
splits, and "splits" counts the splits where ours is at least as good as the
best scikit-learn model.

Usage (from the repository root, Debian python3-sklearn + python3-pandas):
  /usr/bin/python3 bench/datasets/compare.py --budget 60s [--bin PATH]
      [--data ../shared/datasets] [--only titanic,iris] [--md results.md]
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (HistGradientBoostingClassifier, HistGradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

# name, target, task, columns to drop (leaks or near-unique text)
DATASETS = [
    ("titanic", "survived", "cls", ["alive"]),
    ("penguins", "species", "cls", []),
    ("iris", "species", "cls", []),
    ("tips", "tip", "reg", []),
    ("mpg", "mpg", "reg", ["name"]),
    ("diamonds", "price", "reg", []),
]


def score(task, y, pred, proba=None, classes=None):
    if task == "cls":
        out = {"accuracy": accuracy_score(y.astype(str), np.asarray(pred).astype(str))}
        if proba is not None:
            out["log_loss"] = log_loss(y.astype(str), np.clip(proba, 1e-15, 1), labels=[str(c) for c in classes])
        return out
    return {"rmse": float(np.sqrt(mean_squared_error(y, pred))), "r2": float(r2_score(y, pred))}


def sklearn_models(task, X):
    cats = [c for c in X.columns if X[c].dtype == object or X[c].dtype == bool]
    nums = [c for c in X.columns if c not in cats]
    ordinal = ColumnTransformer([
        ("num", "passthrough", nums),
        ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                               encoded_missing_value=-1), cats)])
    dense = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), nums),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                              OneHotEncoder(handle_unknown="ignore")), cats)])
    rf_ordinal = ColumnTransformer([
        ("num", SimpleImputer(strategy="median"), nums),
        ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                               encoded_missing_value=-1), cats)])
    if task == "cls":
        return {
            "rf": make_pipeline(rf_ordinal, RandomForestClassifier(random_state=0, n_jobs=2)),
            "hgb": make_pipeline(ordinal, HistGradientBoostingClassifier(random_state=0)),
            "linear": make_pipeline(dense, LogisticRegression(max_iter=1000)),
        }
    return {
        "rf": make_pipeline(rf_ordinal, RandomForestRegressor(random_state=0, n_jobs=2)),
        "hgb": make_pipeline(ordinal, HistGradientBoostingRegressor(random_state=0)),
        "linear": make_pipeline(dense, Ridge()),
    }


def one_split(args, name, target, task, df, seed):
    strat = df[target] if task == "cls" else None
    train, test = train_test_split(df, test_size=0.2, random_state=seed, stratify=strat)
    tr_path = os.path.join(args.work, "%s_%d_train.csv" % (name, seed))
    te_path = os.path.join(args.work, "%s_%d_test.csv" % (name, seed))
    train.to_csv(tr_path, index=False)
    test.drop(columns=[target]).to_csv(te_path, index=False)
    y_tr, y_te = train[target], test[target]

    res = {}
    # ours, through the CLI
    model = os.path.join(args.work, "%s_%d.automl" % (name, seed))
    preds = os.path.join(args.work, "%s_%d_preds.csv" % (name, seed))
    t0 = time.time()
    fit = [args.bin, "fit", "--data", tr_path, "--target", target, "--budget", args.budget,
           "--seed", args.seed, "--out", model] + args.extra.split()
    subprocess.run(fit, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    fit_s = time.time() - t0
    subprocess.run([args.bin, "predict", "--model", model, "--data", te_path, "--out", preds], check=True)
    pdf = pd.read_csv(preds)
    p = pdf["prediction"]
    if task == "cls" and y_te.dtype != object:
        p = p.astype(y_te.dtype)
    proba, classes = None, None
    if task == "cls":
        pcols = [c for c in pdf.columns if c.startswith("proba_")]
        classes = [c[len("proba_"):] for c in pcols]
        order = np.argsort(classes)
        classes = [classes[i] for i in order]
        proba = pdf[pcols].to_numpy()[:, order]
    res["automl"] = score(task, y_te, p, proba, classes)
    res["automl"]["fit_s"] = fit_s
    # baselines
    if task == "cls":
        res["baseline"] = score(task, y_te, [y_tr.mode()[0]] * len(y_te))
    else:
        res["baseline"] = score(task, y_te, [y_tr.mean()] * len(y_te))
    X_tr, X_te = train.drop(columns=[target]), test.drop(columns=[target])
    for mname, m in sklearn_models(task, X_tr).items():
        t0 = time.time()
        m.fit(X_tr, y_tr if task == "reg" else y_tr.astype(str))
        if task == "cls":
            res[mname] = score(task, y_te, m.predict(X_te), m.predict_proba(X_te), list(m.classes_))
        else:
            res[mname] = score(task, y_te, m.predict(X_te))
        res[mname]["fit_s"] = time.time() - t0
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--data", default=os.path.normpath(os.path.join(here, "..", "..", "..", "shared", "datasets")))
    ap.add_argument("--bin", default="", help="automl binary (default: go build into --work)")
    ap.add_argument("--work", default=os.environ.get("AUTOML_BENCH_WORK", os.path.join(here, "work")),
                    help="scratch directory (default $AUTOML_BENCH_WORK or bench/datasets/work, git-ignored)")
    ap.add_argument("--budget", default="60s")
    ap.add_argument("--seed", default="1")
    ap.add_argument("--only", default="")
    ap.add_argument("--extra", default="", help="extra flags for automl fit, space-separated")
    ap.add_argument("--md", default="")
    ap.add_argument("--splits", type=int, default=1, help="number of random 80/20 splits to average")
    ap.add_argument("--sample", type=int, default=0,
                    help="use a random sample of this many rows of each dataset (0 = all), e.g. to test mid-size tables")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    if not args.bin:
        args.bin = os.path.join(args.work, "automl")
        subprocess.run(["go", "build", "-o", args.bin, "./cmd/automl"], check=True,
                       cwd=os.path.normpath(os.path.join(here, "..", "..")))
    only = set(filter(None, args.only.split(",")))
    rows = []
    for name, target, task, drop in DATASETS:
        if only and name not in only:
            continue
        df = pd.read_csv(os.path.join(args.data, name + ".csv"))
        df = df.drop(columns=drop)
        df = df[df[target].notna()].reset_index(drop=True)
        if args.sample and len(df) > args.sample:
            df = df.sample(args.sample, random_state=0).reset_index(drop=True)
        splits = [one_split(args, name, target, task, df, seed) for seed in range(args.splits)]
        res = {}
        for k in splits[0]:
            res[k] = {m: float(np.mean([sp[k][m] for sp in splits])) for m in splits[0][k]}
        key = "accuracy" if task == "cls" else "rmse"
        line = dict(dataset=name, metric=key, **{k: v[key] for k, v in res.items()},
                    automl_fit_s=res["automl"]["fit_s"])
        # per split: does ours beat (or tie) the best scikit-learn model?
        sign = 1 if task == "cls" else -1
        wins = sum(1 for sp in splits
                   if sign * sp["automl"][key] >= max(sign * sp[m][key] for m in ("rf", "hgb", "linear")))
        line["splits"] = "%d/%d" % (wins, len(splits))
        line["automl_sd"] = float(np.std([sp["automl"][key] for sp in splits]))
        if task == "reg":
            line["automl_r2"] = res["automl"]["r2"]
        else:
            for k in ("automl", "rf", "hgb", "linear"):
                line[k + "_ll"] = res[k]["log_loss"]
        rows.append(line)
        print(line, file=sys.stderr, flush=True)

    cols = ["dataset", "metric", "automl", "automl_sd", "baseline", "rf", "hgb", "linear", "splits", "automl_fit_s"]
    if any("automl_ll" in r for r in rows):
        cols += ["automl_ll", "rf_ll", "hgb_ll", "linear_ll"]
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        out.append("| " + " | ".join(
            ("%.4f" % r[c]) if isinstance(r.get(c), float) else str(r.get(c, "")) for c in cols) + " |")
    text = "\n".join(out)
    print(text)
    if args.md:
        with open(args.md, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
