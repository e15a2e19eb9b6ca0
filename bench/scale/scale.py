#!/usr/bin/python3
"""Scaling benchmark: `automl fit` at a fixed budget on big synthetic tables,
against our own GBDT default and XGBoost's default trained on the same rows.

Tables (deterministic, written once as CSV under --work):
  friedman_<n>  sklearn make_friedman1(n_samples=n + test, n_features=20,
                noise=1.0, random_state=0), 7 significant digits; the first n
                rows train, the next min(n // 4, 100_000) test. Sizes from
                --sizes (default 10000,100000,1000000; add 10000000 with --big).
  kit_reg, kit_cls  the speed kit's 160,000 x 40 tables (../shared/bench/speed/
                gbdt_speed.py writes them) when --kit DIR is given.
For each table:
  automl      `automl fit --budget B` (B from --budget, 120s from 1M rows up
              unless --budget-big), then `automl predict` on the test rows;
              wall time and peak RSS of the fit process (/usr/bin/time -v),
              predictor file size
  gbdt        bench/scale/gbdtref: our GBDT, default parameters, all rows
  xgboost     XGBRegressor/XGBClassifier() defaults (100 rounds, depth 6,
              eta 0.3, hist), n_jobs=2, same rows
Scores: RMSE (regression), ROC AUC (binary). Markdown table on stdout.

Usage, from the repository root (Debian python3-sklearn, python3-xgboost,
python3-pandas):
  /usr/bin/python3 bench/scale/scale.py [--sizes 10000,100000,1000000] [--big]
      [--kit DIR] [--budget 60s] [--budget-big 120s] [--work DIR] [--bin PATH]
      [--only kit_cls] [--extra="--metric roc_auc"]
--work defaults to $AUTOML_BENCH_WORK or bench/scale/work (git-ignored).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

import numpy as np
import pandas as pd
from sklearn.datasets import make_friedman1
from sklearn.metrics import mean_squared_error, roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


def write_friedman(work, n):
    tr = os.path.join(work, "friedman_%d_train.csv" % n)
    te = os.path.join(work, "friedman_%d_test.csv" % n)
    if os.path.exists(tr) and os.path.exists(te):
        return tr, te
    nt = min(n // 4, 100_000)
    X, y = make_friedman1(n_samples=n + nt, n_features=20, noise=1.0, random_state=0)
    df = pd.DataFrame(X, columns=["f%d" % i for i in range(20)])
    df["y"] = y
    df.iloc[:n].to_csv(tr + ".tmp", index=False, float_format="%.7g")
    df.iloc[n:].to_csv(te + ".tmp", index=False, float_format="%.7g")
    os.replace(tr + ".tmp", tr)
    os.replace(te + ".tmp", te)
    return tr, te


def score(task, y, pred):
    if task == "cls":
        return float(roc_auc_score(y, pred))
    return float(np.sqrt(mean_squared_error(y, pred)))


def run_automl(args, name, tr, te, task, budget):
    model = os.path.join(args.work, name + ".automl")
    preds = os.path.join(args.work, name + "_preds.csv")
    log = os.path.join(args.work, name + "_fit.log")
    cmd = ["/usr/bin/time", "-v", args.bin, "fit", "--data", tr, "--target", "y", "--budget", budget,
           "--seed", "1", "--out", model, "--verbose", "--top", "0"] + args.extra.split()
    t0 = time.time()
    with open(log, "w") as f:
        subprocess.run(cmd, check=True, stdout=f, stderr=subprocess.STDOUT)
    wall = time.time() - t0
    text = open(log).read()
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024
    subprocess.run([args.bin, "predict", "--model", model, "--data", te, "--out", preds], check=True)
    p = pd.read_csv(preds)
    y = pd.read_csv(te, usecols=["y"])["y"].to_numpy()
    col = "proba_1" if task == "cls" else "prediction"
    return {"score": score(task, y, p[col].to_numpy()), "wall_s": wall, "rss_mb": rss,
            "model_mb": os.path.getsize(model) / 2**20, "log": log}


def run_gbdtref(args, tr, te, task):
    out = subprocess.run(["go", "run", "./bench/scale/gbdtref", "-train", tr, "-test", te, "-target", "y",
                          "-classes", "2" if task == "cls" else "0"], check=True, capture_output=True,
                         text=True, cwd=ROOT)
    return json.loads(out.stdout)


def run_xgb(tr, te, task):
    import xgboost as xgb
    a, b = pd.read_csv(tr), pd.read_csv(te)
    Xa, ya, Xb, yb = a.drop(columns=["y"]), a["y"], b.drop(columns=["y"]), b["y"]
    m = xgb.XGBClassifier(tree_method="hist", n_jobs=2) if task == "cls" else xgb.XGBRegressor(tree_method="hist", n_jobs=2)
    t0 = time.time()
    m.fit(Xa, ya)
    fit = time.time() - t0
    p = m.predict_proba(Xb)[:, 1] if task == "cls" else m.predict(Xb)
    return {"score": score(task, yb, p), "fit_s": fit}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--big", action="store_true", help="add the 10,000,000-row table")
    ap.add_argument("--kit", default="", help="directory with the speed kit's {cls,reg}_{train,test}.csv")
    ap.add_argument("--budget", default="60s")
    ap.add_argument("--budget-big", default="120s", help="budget from 1,000,000 rows up")
    ap.add_argument("--work", default=os.environ.get("AUTOML_BENCH_WORK", os.path.join(HERE, "work")))
    ap.add_argument("--bin", default="", help="automl binary (default: built into --work)")
    ap.add_argument("--extra", default="", help="extra flags for automl fit")
    ap.add_argument("--no-xgb", action="store_true")
    ap.add_argument("--only", default="", help="comma-separated table names (kit_reg, kit_cls, friedman_N)")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    if not args.bin:
        args.bin = os.path.join(args.work, "automl")
        subprocess.run(["go", "build", "-o", args.bin, "./cmd/automl"], check=True, cwd=ROOT)
    tables = []
    if args.kit:
        for task, key in (("reg", "reg"), ("cls", "cls")):
            tables.append(("kit_" + key, os.path.join(args.kit, key + "_train.csv"),
                           os.path.join(args.kit, key + "_test.csv"), task, 160_000))
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.big:
        sizes.append(10_000_000)
    for n in sizes:
        tr, te = write_friedman(args.work, n)
        tables.append(("friedman_%d" % n, tr, te, "reg", n))
    print("| table | rows | CSV MB | metric | automl | gbdt default | xgboost default | automl wall s | peak RSS MB | RSS/CSV | predictor MB | xgboost fit s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    if args.only:
        keep = set(args.only.split(","))
        tables = [t for t in tables if t[0] in keep]
    for name, tr, te, task, n in tables:
        budget = args.budget_big if n >= 1_000_000 else args.budget
        csv_mb = os.path.getsize(tr) / 2**20
        a = run_automl(args, name, tr, te, task, budget)
        g = run_gbdtref(args, tr, te, task)
        x = {"score": float("nan"), "fit_s": float("nan")} if args.no_xgb else run_xgb(tr, te, task)
        metric = "AUC" if task == "cls" else "RMSE"
        print("| %s | %d | %.0f | %s | %.4f | %.4f | %.4f | %.1f (budget %s) | %.0f | %.1f | %.1f | %.1f |" % (
            name, n, csv_mb, metric, a["score"], g["score"], x["score"], a["wall_s"], budget, a["rss_mb"],
            a["rss_mb"] / csv_mb, a["model_mb"], x["fit_s"]), flush=True)
        print("  fit log: %s" % a["log"], file=sys.stderr)


if __name__ == "__main__":
    main()
