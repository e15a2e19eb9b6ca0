#!/usr/bin/python3
"""scikit-learn reference numbers for models/linear, models/knn, models/bayes
and models/baseline.

Golden files (committed, read by the Go tests):

    go test ./models/linear ./models/knn ./models/bayes -run TestReference -update
        # (re)writes the synthetic CSVs in models/*/testdata from a seeded Go generator
    /usr/bin/python3 bench/reference/linear_knn_bayes.py golden
        # fits scikit-learn on those CSVs, writes models/*/testdata/sklearn.json

Real-data comparison (numbers for reports, nothing written); runs the Go
side (go run ./bench/reference/linknnbayes) and prints a Markdown table:

    /usr/bin/python3 bench/reference/linear_knn_bayes.py real [../shared/datasets]

Both sides split the rows the same way (row index % 4 == 0 is the test set),
standardise with the training mean and population standard deviation, and
print accuracy (classification) or R² (regression).

Written against scikit-learn 1.2 (Debian python3-sklearn).
"""

import json
import os
import sys

import numpy as np
import sklearn
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

# Predictions are stored for the first GOLDEN_ROWS rows only, to keep the
# golden files small.
GOLDEN_ROWS = 60

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load(pkg, name):
    """Reads models/<pkg>/testdata/<name>.csv: columns x0..x{p-1}, y, w."""
    path = os.path.join(ROOT, "models", pkg, "testdata", name + ".csv")
    a = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64)
    return a[:, :-2], a[:, -2], a[:, -1]


def tolist(a):
    return np.asarray(a, dtype=np.float64).ravel().tolist()


def logistic_objective(W, b, X, y, w, C):
    """scikit-learn's objective 0.5*||W||² + C*Σ w_i logloss_i; W is r×p
    (r = 1: binary, single logit)."""
    Z = X @ W.T + b
    if W.shape[0] == 1:
        z = Z[:, 0]
        loss = np.logaddexp(0, z) - y * z
    else:
        zmax = Z.max(axis=1, keepdims=True)
        lse = (zmax + np.log(np.exp(Z - zmax).sum(axis=1, keepdims=True)))[:, 0]
        loss = lse - Z[np.arange(len(y)), y.astype(int)]
    return 0.5 * (W**2).sum() + C * (w * loss).sum()


def newton_polish(W, b, X, y, w, C, steps=20):
    """Newton steps on the objective from scikit-learn's solution.
    scikit-learn's L-BFGS-B stalls on badly scaled features (it stops on its
    relative function-change test), so the golden coefficients are the
    polished optimum; scikit-learn's own are kept alongside."""
    n, p = X.shape
    r = W.shape[0]
    Xt = np.hstack([X, np.ones((n, 1))])
    th = np.hstack([W, b[:, None]])
    pen = np.ones(p + 1)
    pen[p] = 0
    Y = np.zeros((n, max(r, 2)))
    Y[np.arange(n), y.astype(int)] = 1
    for _ in range(steps):
        Z = Xt @ th.T
        if r == 1:
            P = 1 / (1 + np.exp(-Z))
            R = C * w[:, None] * (P - y[:, None])
            g = (R.T @ Xt + th * pen).ravel()
            H = (Xt * (C * w * (P * (1 - P))[:, 0])[:, None]).T @ Xt + np.diag(pen)
        else:
            Z -= Z.max(axis=1, keepdims=True)
            P = np.exp(Z)
            P /= P.sum(axis=1, keepdims=True)
            R = C * w[:, None] * (P - Y)
            g = (R.T @ Xt + th * pen).ravel()
            H = np.zeros((r * (p + 1), r * (p + 1)))
            for k in range(r):
                for l in range(r):
                    s = C * w * P[:, k] * ((k == l) - P[:, l])
                    H[k * (p + 1):(k + 1) * (p + 1), l * (p + 1):(l + 1) * (p + 1)] = (Xt * s[:, None]).T @ Xt
            H += np.diag(np.tile(pen, r))
        step = np.linalg.lstsq(H, g, rcond=None)[0]
        th = th - step.reshape(th.shape)
        if np.abs(step).max() < 1e-15:
            break
    return th[:, :p], th[:, p]


def logistic(X, y, w, C, multinomial):
    m = LogisticRegression(
        C=C,
        solver="lbfgs",
        tol=1e-12,
        max_iter=100000,
        multi_class="multinomial" if multinomial else "auto",
    )
    m.fit(X, y, sample_weight=w)
    sw = np.ones(len(y)) if w is None else w
    b = m.intercept_.copy()
    if multinomial:
        b -= b.mean()  # the softmax intercepts are defined up to a shift
    W, bp = newton_polish(m.coef_, b, X, y, sw, C)
    if multinomial:
        bp -= bp.mean()
    Z = X @ W.T + bp
    if multinomial:
        P = np.exp(Z - Z.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
    else:
        P1 = 1 / (1 + np.exp(-Z[:, 0]))
        P = np.stack([1 - P1, P1], axis=1)
    return {
        "coef": tolist(W),
        "intercept": tolist(bp),
        "proba": tolist(P[:GOLDEN_ROWS]),
        "objective": logistic_objective(W, bp, X, y, sw, C),
        "sklearn_coef": tolist(m.coef_),
        "sklearn_intercept": tolist(b),
        "sklearn_proba": tolist(m.predict_proba(X)[:GOLDEN_ROWS]),
        "sklearn_objective": logistic_objective(m.coef_, b, X, y, sw, C),
        "sklearn_n_iter": int(m.n_iter_[0]),
    }


def least_squares(model, X, y, w):
    model.fit(X, y, sample_weight=w)
    return {
        "coef": tolist(model.coef_),
        "intercept": [float(model.intercept_)],
        "pred": tolist(model.predict(X)[:GOLDEN_ROWS]),
    }


def golden_linear():
    out = {"sklearn": sklearn.__version__}
    X, y, w = load("linear", "clf3")
    out["logistic_multinomial"] = logistic(X, y, None, 1.0, True)
    out["logistic_multinomial_weighted"] = logistic(X, y, w, 1.0, True)
    out["logistic_multinomial_C0.1_weighted"] = logistic(X, y, w, 0.1, True)
    X, y, w = load("linear", "clf2")
    out["logistic_binary"] = logistic(X, y, None, 1.0, False)
    out["logistic_binary_weighted"] = logistic(X, y, w, 1.0, False)
    X, y, w = load("linear", "reg")
    out["ols"] = least_squares(LinearRegression(), X, y, None)
    out["ols_weighted"] = least_squares(LinearRegression(), X, y, w)
    out["ridge"] = least_squares(Ridge(alpha=1.0), X, y, None)
    out["ridge_weighted"] = least_squares(Ridge(alpha=1.0), X, y, w)
    out["ridge_alpha10_weighted"] = least_squares(Ridge(alpha=10.0), X, y, w)
    return out


def golden_knn():
    """Train on rows [0, 250), query rows [250, n) plus training rows 0..4
    (exact matches exercise the zero-distance rule of weights="distance")."""
    out = {"sklearn": sklearn.__version__}
    for name, cls in (("clf3", KNeighborsClassifier), ("reg", KNeighborsRegressor)):
        X, y, _ = load("knn", name)
        Xt, yt = X[:250], y[:250]
        Xq = np.vstack([X[250:], X[:5]])
        for weights in ("uniform", "distance"):
            m = cls(n_neighbors=5, weights=weights, algorithm="brute")
            m.fit(Xt, yt)
            dist, ind = m.kneighbors(Xq)
            r = {"neighbors": tolist(ind), "distances": tolist(dist)}
            if name == "clf3":
                r["proba"] = tolist(m.predict_proba(Xq))
            else:
                r["pred"] = tolist(m.predict(Xq))
            out[name + "_" + weights] = r
    return out


def golden_bayes():
    out = {"sklearn": sklearn.__version__}
    X, y, w = load("bayes", "clf3")
    for tag, sw in (("", None), ("_weighted", w)):
        m = GaussianNB()
        m.fit(X, y, sample_weight=sw)
        out["gaussian_nb" + tag] = {
            "theta": tolist(m.theta_),
            "var": tolist(m.var_),
            "prior": tolist(m.class_prior_),
            "proba": tolist(m.predict_proba(X)[:GOLDEN_ROWS]),
        }
    return out


def write_golden():
    for pkg, fn in (("linear", golden_linear), ("knn", golden_knn), ("bayes", golden_bayes)):
        path = os.path.join(ROOT, "models", pkg, "testdata", "sklearn.json")
        with open(path, "w") as f:
            json.dump(fn(), f, indent=None, separators=(",", ":"))
            f.write("\n")
        print("wrote", os.path.relpath(path, ROOT))


# --- real data ---------------------------------------------------------------


def split_std(X, y):
    test = np.arange(len(y)) % 4 == 0
    Xtr, Xte, ytr, yte = X[~test], X[test], y[~test], y[test]
    mu, sd = Xtr.mean(axis=0), Xtr.std(axis=0)
    sd[sd == 0] = 1
    return (Xtr - mu) / sd, (Xte - mu) / sd, ytr, yte


def r2(y, p):
    return 1 - np.sum((y - p) ** 2) / np.sum((y - y.mean()) ** 2)


def real(datadir):
    import subprocess

    import pandas as pd

    iris = pd.read_csv(os.path.join(datadir, "iris.csv"))
    pen = pd.read_csv(os.path.join(datadir, "penguins.csv"))
    num = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
    pen = pen.dropna(subset=num).reset_index(drop=True)

    sk = {}
    tasks = [
        ("iris species", iris.iloc[:, :4].to_numpy(float), iris["species"]),
        ("penguins species", pen[num].to_numpy(float), pen["species"]),
    ]
    classifiers = [
        ("logistic", lambda: LogisticRegression(C=1.0, max_iter=10000, tol=1e-10)),
        ("knn", lambda: KNeighborsClassifier(5)),
        ("gaussian_nb", lambda: GaussianNB()),
        ("prior", lambda: DummyClassifier(strategy="prior")),
    ]
    for tname, X, labels in tasks:
        classes = sorted(set(labels))
        y = np.array([classes.index(v) for v in labels], dtype=float)
        Xtr, Xte, ytr, yte = split_std(X, y)
        for mname, mk in classifiers:
            acc = (mk().fit(Xtr, ytr).predict(Xte) == yte).mean()
            sk[(tname, mname)] = "accuracy=%.4f" % acc
    X = pen[num[:3]].to_numpy(float)
    y = pen["body_mass_g"].to_numpy(float)
    Xtr, Xte, ytr, yte = split_std(X, y)
    regressors = [
        ("linear", lambda: LinearRegression()),
        ("ridge", lambda: Ridge(alpha=1.0)),
        ("knn", lambda: KNeighborsRegressor(5)),
        ("prior", lambda: DummyRegressor()),
    ]
    for mname, mk in regressors:
        sk[("penguins mass", mname)] = "r2=%.4f" % r2(yte, mk().fit(Xtr, ytr).predict(Xte))

    out = subprocess.run(
        ["go", "run", "./bench/reference/linknnbayes", "-data", datadir],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    gov = {}
    for line in out.splitlines():
        t, m, v = line.split("\t")
        gov[(t, m)] = v
    print("| task | model | automl (Go) | scikit-learn %s |" % sklearn.__version__)
    print("|---|---|---|---|")
    for key, v in sk.items():
        print("| %s | %s | %s | %s |" % (key[0], key[1], gov.get(key, "-"), v))


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "golden"
    if what == "golden":
        write_golden()
    elif what == "real":
        real(sys.argv[2] if len(sys.argv) > 2 else os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "datasets")))
    else:
        sys.exit("usage: linear_knn_bayes.py [golden | real [datadir]]")
