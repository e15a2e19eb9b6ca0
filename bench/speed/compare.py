#!/usr/bin/python3
"""Prints the ratio table of run.sh: models/gbdt (go.json) against XGBoost
(xgb.json from xgb_bench.py; one JSON object per line in both), all from the
same run. Ratios are ours / XGBoost: below 1 means faster. Every figure is the
best (least) of the run's repeats, wall seconds unless marked CPU:
  fit    = ours: NewBinned + Fit; XGBoost: DMatrix construction + xgb.train
  fit CPU = process CPU seconds (all threads) over the same span
  cores  = fit CPU / fit: how many of the 2 cores the fit kept busy
  train  = ours: Fit on pre-binned data; XGBoost: xgb.train on a built DMatrix
  predict = the test rows to probabilities/values (XGBoost's includes the
            test DMatrix)"""
import json, sys

out = sys.argv[1]
load = lambda p: {d["task"]: d for d in (json.loads(l) for l in open(p) if l.strip())}
xgb, go = load(out + "/xgb.json"), load(out + "/go.json")
print("| task | rounds | fit s xgb / ours = ratio | fit CPU s xgb / ours = ratio | cores xgb / ours | train s xgb / ours = ratio | predict s xgb / ours = ratio | metric xgb / ours |")
print("|---|---|---|---|---|---|---|---|")
for task, g in go.items():
    x = xgb.get(task)
    if x is None:
        continue
    metric = {"cls": "auc", "reg": "rmse", "mc": "log_loss"}[task]
    r = lambda k: "%.2f / %.2f = %.2f" % (x[k], g[k], g[k] / x[k])
    print("| %s | %d | %s | %s | %.2f / %.2f | %s | %.3f / %.3f = %.2f | %s %.4f / %.4f |" % (
        task, x["rounds"], r("fit_s"), r("fit_cpu_s"), x["fit_cpu_s"] / x["fit_s"], g["fit_cpu_s"] / g["fit_s"],
        r("train_s"), x["predict_s"], g["predict_s"], g["predict_s"] / x["predict_s"], metric, x[metric], g[metric]))
