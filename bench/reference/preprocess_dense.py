#!/usr/bin/python3
"""scikit-learn reference for the Dense view of preprocess.

Prints JSON {dataset: {feature name: [values...]}} computed with
SimpleImputer(strategy="median") + StandardScaler (numbers) and
OneHotEncoder (low-cardinality strings, levels sorted), the same
transforms the Dense view documents. The Go side reads it:

    AUTOML_REFERENCE=1 go test ./preprocess -run TestSklearnReference -v

Usage: /usr/bin/python3 bench/reference/preprocess_dense.py [datasets dir]
Written against scikit-learn 1.2 (Debian python3-sklearn).
"""

import json
import os
import sys

import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

CASES = {
    "titanic.csv": {"numeric": ["age", "fare", "sibsp"], "onehot": ["embarked", "who"]},
    "mpg.csv": {"numeric": ["horsepower", "weight"], "onehot": ["origin"]},
    "tips.csv": {"numeric": ["total_bill"], "onehot": ["day", "time"]},
    "diamonds.csv": {"numeric": ["carat", "table"], "onehot": ["cut"]},
}


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "datasets"))
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
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
