#!/usr/bin/python3
"""Out-of-fold predictions of a few sklearn models on the shared datasets,
for checking ensemble.Greedy and ensemble.Stack on real data.

Writes /tmp/automl_oof/<dataset>.json (never into the repository) with y,
the fold test lists, each model's OOF predictions, the models' OOF scores,
and a numpy reference of Caruana greedy selection (same rules as
ensemble.Greedy: start empty, with replacement, ties to the lowest index,
cut back to the earliest best round) plus a sklearn logistic/ridge stacker
score for comparison. Then run:

    /usr/bin/python3 bench/reference/ensemble_oof.py
    AUTOML_OOF_DIR=/tmp/automl_oof go test -run RealOOF -v ./ensemble

With "golden" it writes the small datasets (titanic, penguins, mpg; not
the 6,000-row diamonds sample) into ensemble/testdata/oof instead, which the
Go test reads when AUTOML_OOF_DIR is not set (in CI, without Python):

    /usr/bin/python3 bench/reference/ensemble_oof.py golden

OOF predictions are rounded to 10 significant digits before anything is
computed from them, so the files stay small and the references are exact
for the values written.
"""
import json
import os
import sys
import tempfile
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import log_loss, mean_squared_error, roc_auc_score, accuracy_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

warnings.filterwarnings("ignore")
DATA = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "datasets"))
GOLDEN = len(sys.argv) > 1 and sys.argv[1] == "golden"
OUT = os.environ.get("AUTOML_OOF_DIR", os.path.join(tempfile.gettempdir(), "automl_oof"))
if GOLDEN:
    OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ensemble", "testdata", "oof"))


def prep(num, cat):
    return ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(), StandardScaler()), num),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                              OneHotEncoder(handle_unknown="ignore")), cat),
    ])


def metric_fn(name, k):
    if name == "log_loss":
        return lambda y, p: log_loss(y, p.reshape(-1, k), eps=1e-15, labels=list(range(k))), False
    if name == "roc_auc":
        return lambda y, p: roc_auc_score(y, p.reshape(-1, k)[:, 1]), True
    if name == "accuracy":
        return lambda y, p: accuracy_score(y, p.reshape(-1, k).argmax(axis=1)), True
    if name == "rmse":
        return lambda y, p: mean_squared_error(y, p, squared=False), False
    raise ValueError(name)


def greedy(oof, y, score, greater, rounds=25):
    total = np.zeros_like(oof[0])
    hist, scores = [], []
    for r in range(rounds):
        best_j, best_s = -1, None
        for j, p in enumerate(oof):
            s = score(y, (total + p) / (r + 1))
            if best_j < 0 or (s > best_s if greater else s < best_s):
                best_j, best_s = j, s
        total += oof[best_j]
        hist.append(best_j)
        scores.append(best_s)
    b = 0
    for r, s in enumerate(scores):
        if (s > scores[b]) if greater else (s < scores[b]):
            b = r
    w = np.bincount(hist[: b + 1], minlength=len(oof)) / (b + 1)
    return w.tolist(), scores[b]


def run(name, df, target, num, cat, k, metrics):
    df = df.dropna(subset=[target]).reset_index(drop=True)
    if k:
        codes, uniques = pd.factorize(df[target], sort=True)
        y = codes.astype(float)
        splitter = StratifiedKFold(5, shuffle=True, random_state=0)
        models = {
            "logistic": LogisticRegression(max_iter=2000),
            "rf": RandomForestClassifier(300, min_samples_leaf=2, random_state=0, n_jobs=1),
            "hgb": HistGradientBoostingClassifier(random_state=0),
            "knn": KNeighborsClassifier(15),
            "nb": GaussianNB(),
        }
    else:
        y = df[target].to_numpy(float)
        splitter = KFold(5, shuffle=True, random_state=0)
        models = {
            "ridge": Ridge(1.0),
            "rf": RandomForestRegressor(200, min_samples_leaf=2, random_state=0, n_jobs=1),
            "hgb": HistGradientBoostingRegressor(random_state=0),
            "knn": KNeighborsRegressor(10),
        }
    X = df[num + cat]
    folds = [test.tolist() for _, test in splitter.split(X, y.astype(int) if k else y)]
    oof = {}
    width = k if k else 1
    for mname, est in models.items():
        pred = np.zeros((len(y), width))
        for f, test in enumerate(folds):
            train = np.setdiff1d(np.arange(len(y)), test)
            pipe = make_pipeline(prep(num, cat), est)
            if k and mname == "nb":
                pipe = make_pipeline(prep(num, cat), _Dense(), est)
            pipe.fit(X.iloc[train], y[train])
            if k:
                pred[test] = pipe.predict_proba(X.iloc[test])
            else:
                pred[test, 0] = pipe.predict(X.iloc[test])
        oof[mname] = np.array([float(f"{v:.10g}") for v in pred.ravel()])
    names = list(oof)
    out = {"name": name, "num_classes": k, "y": y.tolist(), "folds": folds,
           "members": names, "oof": [oof[n].tolist() for n in names], "metrics": {}}
    for mname in metrics:
        score, greater = metric_fn(mname, k)
        singles = {n: score(y, oof[n]) for n in names}
        w, s = greedy([oof[n] for n in names], y, score, greater)
        # sklearn stacker on the same folds, for orientation only.
        if k:
            clip = lambda p: np.clip(p, 1e-6, 1 - 1e-6)
            feats = np.hstack([np.log(clip(oof[n].reshape(-1, k)[:, 1:] if k == 2 else clip(oof[n].reshape(-1, k)))) -
                               (np.log(1 - clip(oof[n].reshape(-1, k)[:, 1:])) if k == 2 else 0) for n in names])
            meta = np.zeros((len(y), k))
            for test in folds:
                train = np.setdiff1d(np.arange(len(y)), test)
                lr = LogisticRegression(C=1.0, max_iter=5000).fit(feats[train], y[train])
                meta[test] = lr.predict_proba(feats[test])
            stack = score(y, meta.ravel())
        else:
            feats = np.vstack([oof[n] for n in names]).T
            meta = np.zeros(len(y))
            for test in folds:
                train = np.setdiff1d(np.arange(len(y)), test)
                meta[test] = Ridge(1e-3).fit(feats[train], y[train]).predict(feats[test])
            stack = score(y, meta)
        out["metrics"][mname] = {"singles": singles, "greedy_weights": w, "greedy_score": s,
                                 "sklearn_stack": stack}
        print(f"{name:9s} {mname:9s} best single {('max' if greater else 'min')}="
              f"{(max if greater else min)(singles.values()):.5f}  greedy={s:.5f}  sklearn-stack={stack:.5f}")
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(out, f)


class _Dense:
    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return X.toarray() if hasattr(X, "toarray") else X


os.makedirs(OUT, exist_ok=True)
t = pd.read_csv(os.path.join(DATA, "titanic.csv"))
run("titanic", t, "survived", ["age", "sibsp", "parch", "fare", "pclass"], ["sex", "embarked", "who"], 2,
    ["log_loss", "roc_auc", "accuracy"])
p = pd.read_csv(os.path.join(DATA, "penguins.csv"))
run("penguins", p, "species", ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"],
    ["island", "sex"], 3, ["log_loss", "accuracy"])
m = pd.read_csv(os.path.join(DATA, "mpg.csv"))
run("mpg", m, "mpg", ["cylinders", "displacement", "horsepower", "weight", "acceleration", "model_year"],
    ["origin"], 0, ["rmse"])
if not GOLDEN:
    d = pd.read_csv(os.path.join(DATA, "diamonds.csv")).sample(6000, random_state=0)
    run("diamonds", d, "price", ["carat", "depth", "table", "x", "y", "z"], ["cut", "color", "clarity"], 0, ["rmse"])
