#!/usr/bin/python3
"""Prints the ratio table of run.sh: models/gbdt (go.json) against XGBoost
(xgb.json from xgb_bench.py; one JSON object per line in both). Ratios are
ours / XGBoost: below 1 means faster. train = boosting only (no binning /
DMatrix), cpu = process CPU seconds of training, fit = train + binning
(ours) or DMatrix construction (XGBoost, from the kit's summary)."""
import json, sys

out = sys.argv[1]
load = lambda p: {d["task"]: d for d in (json.loads(l) for l in open(p) if l.strip())}
xgb, go = load(out + "/xgb.json"), load(out + "/go.json")
kit = {}
try:
    for s in json.load(open(out + "/kit.json"))["summary"]:
        if s["model"] == "xgboost" and s["threads"] == 2:
            kit[s["task"]] = s
except FileNotFoundError:
    pass
print("| task | rounds | train s xgb / ours = ratio | train CPU s xgb / ours = ratio | kit fit s xgb / ours fit = ratio | predict s xgb / ours = ratio | metric xgb / ours |")
print("|---|---|---|---|---|---|---|")
for task, g in go.items():
    x = xgb.get(task)
    if x is None:
        continue
    metric = {"cls": "auc", "reg": "rmse", "mc": "log_loss"}[task]
    k = kit.get(task)
    kfit = "%.2f / %.2f = %.2f" % (k["fit_s"], g["fit_s"], g["fit_s"] / k["fit_s"]) if k else "-"
    print("| %s | %d | %.2f / %.2f = %.2f | %.2f / %.2f = %.2f | %s | %.3f / %.3f = %.2f | %s %.4f / %.4f |" % (
        task, x["rounds"], x["train_s"], g["train_s"], g["train_s"] / x["train_s"],
        x["train_cpu_s"], g["train_cpu_s"], g["train_cpu_s"] / x["train_cpu_s"], kfit,
        x["predict_s"], g["predict_s"], g["predict_s"] / x["predict_s"], metric, x[metric], g[metric]))
