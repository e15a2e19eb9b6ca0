#!/usr/bin/python3
"""XGBoost side of run.sh, next to the kit's gbdt_speed.py: same data and
settings (tree_method=hist, max_depth=6, eta=0.1, max_bin=256, seed 0), and
also process CPU seconds of xgb.train, which stay comparable when the machine
is shared. Adds the multiclass shape: writes mc_{train,test}.csv once with
make_classification(n_samples=200000, n_features=40, n_informative=20,
n_redundant=10, n_classes=10, flip_y=0.01, random_state=0) split and written
like the kit's files (rows [0,160000) train, 7 significant digits, f0..f39,y).
Prints one JSON object per task: the best (least) of --repeats runs for each
time, with fit_s = DMatrix construction + xgb.train (wall) and fit_cpu_s the
process CPU seconds of the same span (all threads)."""
import argparse, json, os, sys, time
import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.datasets import make_classification
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, roc_auc_score

ap = argparse.ArgumentParser()
ap.add_argument("--out", default=os.environ.get("OUT", "bench/speed/out"),
                help="data directory (default $OUT or bench/speed/out, relative to the repository root)")
ap.add_argument("--repeats", type=int, default=5)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--rounds", type=int, default=200)
ap.add_argument("--tasks", default="cls,reg,mc")
args = ap.parse_args()
os.makedirs(args.out, exist_ok=True)


def paths(task):
    return [os.path.join(args.out, "%s_%s.csv" % (task, p)) for p in ("train", "test")]


if "mc" in args.tasks and not all(os.path.exists(p) for p in paths("mc")):
    X, y = make_classification(n_samples=200000, n_features=40, n_informative=20,
                               n_redundant=10, n_repeated=0, n_classes=10, flip_y=0.01,
                               class_sep=1.0, random_state=0)
    df = pd.DataFrame(X, columns=["f%d" % i for i in range(40)])
    df["y"] = y
    for p, part in zip(paths("mc"), (df.iloc[:160000], df.iloc[160000:])):
        part.to_csv(p + ".tmp", index=False, float_format="%.7g", lineterminator="\n")
        os.replace(p + ".tmp", p)

for task in args.tasks.split(","):
    tr, te = (pd.read_csv(p) for p in paths(task))
    cols = [c for c in tr.columns if c != "y"]
    Xtr, ytr, Xte, yte = tr[cols].to_numpy(), tr["y"].to_numpy(), te[cols].to_numpy(), te["y"].to_numpy()
    params = dict(tree_method="hist", max_depth=6, eta=0.1, max_bin=256, nthread=args.threads,
                  seed=0, verbosity=0)
    params["objective"] = {"cls": "binary:logistic", "reg": "reg:squarederror", "mc": "multi:softprob"}[task]
    if task == "mc":
        params["num_class"] = int(ytr.max()) + 1
    runs = []
    for rep in range(args.repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        dtrain = xgb.DMatrix(Xtr, label=ytr, nthread=args.threads)
        t1, c1 = time.perf_counter(), time.process_time()
        booster = xgb.train(params, dtrain, num_boost_round=args.rounds)
        t2, c2 = time.perf_counter(), time.process_time()
        out = booster.predict(xgb.DMatrix(Xte, nthread=args.threads))
        t3 = time.perf_counter()
        runs.append(dict(fit_s=t2 - t0, fit_cpu_s=c2 - c0, dmatrix_s=t1 - t0, train_s=t2 - t1,
                         train_cpu_s=c2 - c1, predict_s=t3 - t2))
        print("%s xgboost rep=%d train=%.2fs cpu=%.2fs" % (task, rep, t2 - t1, c2 - c1), file=sys.stderr, flush=True)
    res = dict(task=task, model="xgboost", threads=args.threads, rounds=args.rounds,
               **{k: min(r[k] for r in runs) for k in runs[0]})
    if task == "cls":
        res.update(auc=float(roc_auc_score(yte, out)), accuracy=float(accuracy_score(yte, out >= 0.5)))
    elif task == "reg":
        res.update(rmse=float(np.sqrt(mean_squared_error(yte, out))))
    else:
        res.update(accuracy=float(accuracy_score(yte, out.argmax(1))), log_loss=float(log_loss(yte, out)))
    print(json.dumps(res), flush=True)
