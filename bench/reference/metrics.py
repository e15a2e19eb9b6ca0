#!/usr/bin/python3
"""Golden values for evaluate's metrics, computed with sklearn.metrics.

Generates deterministic random data with a fixed numpy seed, scores it with
scikit-learn and writes evaluate/testdata/metrics_golden.json, which
evaluate/golden_test.go checks to 1e-12. Run from the repository root:

    /usr/bin/python3 bench/reference/metrics.py
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn import metrics as skm

warnings.filterwarnings("ignore")
rng = np.random.default_rng(20240607)


def proba(n, k, ties):
    if ties:
        counts = rng.integers(0, 6, size=(n, k)) + 1  # coarse values: many ties
        return counts / counts.sum(axis=1, keepdims=True)
    p = rng.dirichlet(np.ones(k), size=n)
    return p


def informative(y, k, strength):
    """Probabilities that lean towards the true class."""
    n = len(y)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), y] += strength
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


def classification_case(name, n, k, weighted, ties, classes=None):
    classes = list(range(k)) if classes is None else classes
    y = rng.choice(classes, size=n)
    if ties:
        p = proba(n, k, True)
    else:
        p = informative(y, k, 1.0)
    w = rng.uniform(0.1, 3.0, size=n) if weighted else None
    labels = p.argmax(axis=1)
    out = {}
    out["accuracy"] = skm.accuracy_score(y, labels, sample_weight=w)
    out["balanced_accuracy"] = skm.balanced_accuracy_score(y, labels, sample_weight=w)
    out["f1_macro"] = skm.f1_score(y, labels, average="macro", sample_weight=w)
    out["log_loss"] = skm.log_loss(y, p, eps=1e-15, labels=list(range(k)), sample_weight=w)
    if k == 2:
        out["f1"] = skm.f1_score(y, labels, average="binary", pos_label=1, sample_weight=w)
        out["roc_auc"] = skm.roc_auc_score(y, p[:, 1], sample_weight=w)
    elif len(set(y)) == k:
        out["roc_auc"] = skm.roc_auc_score(y, p, multi_class="ovr", average="macro",
                                           sample_weight=w)
    return {
        "name": name, "num_classes": k,
        "y": [float(v) for v in y], "pred": [float(v) for v in p.ravel()],
        "w": None if w is None else [float(v) for v in w],
        "want": out,
    }


def regression_case(name, n, weighted, constant=False):
    y = np.full(n, 3.5) if constant else rng.normal(10, 5, size=n)
    pred = y + rng.normal(0, 2, size=n)
    w = rng.uniform(0.1, 3.0, size=n) if weighted else None
    out = {
        "rmse": skm.mean_squared_error(y, pred, sample_weight=w, squared=False),
        "mae": skm.mean_absolute_error(y, pred, sample_weight=w),
        "r2": skm.r2_score(y, pred, sample_weight=w),
    }
    return {
        "name": name, "num_classes": 0,
        "y": [float(v) for v in y], "pred": [float(v) for v in pred],
        "w": None if w is None else [float(v) for v in w],
        "want": out,
    }


cases = [
    classification_case("binary", 120, 2, False, False),
    classification_case("binary_weighted", 120, 2, True, False),
    classification_case("binary_ties", 100, 2, False, True),
    classification_case("binary_ties_weighted", 100, 2, True, True),
    classification_case("multiclass", 150, 4, False, False),
    classification_case("multiclass_weighted", 150, 4, True, False),
    classification_case("multiclass_ties_weighted", 120, 3, True, True),
    classification_case("multiclass_absent_class", 100, 4, True, True, classes=[0, 1, 3]),
    regression_case("regression", 100, False),
    regression_case("regression_weighted", 100, True),
    regression_case("regression_constant", 20, False, constant=True),
]

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
path = os.path.join(root, "evaluate", "testdata", "metrics_golden.json")
with open(path, "w") as f:
    json.dump({"sklearn": sklearn.__version__, "numpy": np.__version__, "cases": cases}, f,
              separators=(",", ":"))
    f.write("\n")
print("wrote", path, len(cases), "cases with sklearn", sklearn.__version__)
