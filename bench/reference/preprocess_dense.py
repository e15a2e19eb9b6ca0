#!/usr/bin/python3
"""scikit-learn reference for the Dense view of preprocess.

Prints JSON {dataset: {feature name: [values...]}} computed with
SimpleImputer(strategy="median") + StandardScaler (numbers) and
OneHotEncoder (low-cardinality strings, levels sorted), the same
transforms the Dense view documents. The Go side reads it:

    AUTOML_REFERENCE=1 go test ./preprocess -run TestSklearnReference -v

Usage: /usr/bin/python3 bench/reference/preprocess_dense.py [datasets dir]

With "golden" it writes preprocess/testdata/sklearn_dense.json instead,
which the same Go test reads without Python (in CI). To stay small, the
golden keeps every 50th row of datasets above 2,000 rows (diamonds: 1,079
of 53,940; the statistics are still fitted on all rows):

    /usr/bin/python3 bench/reference/preprocess_dense.py golden [datasets dir]

Written against scikit-learn 1.2 (Debian python3-sklearn).
"""

import json
import os
import sys

import pandas as pd
import sklearn
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

CASES = {
    "titanic.csv": {"numeric": ["age", "fare", "sibsp"], "onehot": ["embarked", "who"]},
    "mpg.csv": {"numeric": ["horsepower", "weight"], "onehot": ["origin"]},
    "tips.csv": {"numeric": ["total_bill"], "onehot": ["day", "time"]},
    "diamonds.csv": {"numeric": ["carat", "table"], "onehot": ["cut"]},
}


GOLDEN_STRIDE_ABOVE = 2000  # rows; bigger datasets keep every STRIDE-th row
STRIDE = 50


def main():
    args = sys.argv[1:]
    golden = bool(args) and args[0] == "golden"
    if golden:
        args = args[1:]
    root = args[0] if args else os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "datasets"))
    out = {}
    for name, case in CASES.items():
        df = pd.read_csv(os.path.join(root, name))
        cols = {}
        for c in case["numeric"]:
            x = df[[c]].astype(float)
            z = make_pipeline(SimpleImputer(strategy="median"), StandardScaler()).fit_transform(x)
            cols[c] = z[:, 0].tolist()
            if x[c].isna().any():
                cols[c + ":missing"] = x[c].isna().astype(float).tolist()
        for c in case["onehot"]:
            s = df[[c]].dropna()
            enc = OneHotEncoder(handle_unknown="ignore").fit(s.astype(str))
            full = df[[c]].fillna("\x00missing").astype(str)
            z = enc.transform(full).toarray()
            for k, level in enumerate(enc.categories_[0]):
                cols[c + "=" + level] = z[:, k].tolist()
        out[name] = cols
    if not golden:
        json.dump(out, sys.stdout)
        return
    strides = {}
    for name, cols in out.items():
        n = len(next(iter(cols.values())))
        if n > GOLDEN_STRIDE_ABOVE:
            strides[name] = STRIDE
            out[name] = {c: v[::STRIDE] for c, v in cols.items()}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "preprocess", "testdata", "sklearn_dense.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump({"sklearn": sklearn.__version__, "stride": strides, "columns": out}, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
