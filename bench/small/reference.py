"""scikit-learn and XGBoost defaults on the splits bench/small wrote with -dump.

    go run ./bench/small -splits 10 -only sep13 -dump DIR
    /usr/bin/python3 bench/small/reference.py DIR sep13 target log_loss

prints each model's held-out mean over the splits (log_loss, roc_auc or
rmse), on the same rows as bench/small's own numbers. Needs Debian's
python3-sklearn, python3-pandas and python3-xgboost.
"""
import sys, numpy as np, pandas as pd, warnings
warnings.filterwarnings("ignore")
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression, Ridge, RidgeCV, LogisticRegressionCV
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor, HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.naive_bayes import GaussianNB
from sklearn.svm import SVC, SVR
from sklearn.metrics import log_loss, roc_auc_score, mean_squared_error
import xgboost as xgb
d, name, target, metric = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
res = {}
for s in range(100):
    try:
        tr = pd.read_csv(f"{d}/{name}_{s}_train.csv"); te = pd.read_csv(f"{d}/{name}_{s}_test.csv")
    except FileNotFoundError:
        break
    ytr, yte = tr.pop(target), te.pop(target)
    Xtr = pd.get_dummies(tr, dtype=float); Xte = pd.get_dummies(te, dtype=float).reindex(columns=Xtr.columns, fill_value=0)
    Xtr = Xtr.fillna(Xtr.median()); Xte = Xte.fillna(Xtr.median())
    if metric == "rmse":
        ms = {"ridge": make_pipeline(StandardScaler(), Ridge()), "ridgecv": make_pipeline(StandardScaler(), RidgeCV()),
              "rf": RandomForestRegressor(random_state=0), "hgb": HistGradientBoostingRegressor(random_state=0),
              "svr": make_pipeline(StandardScaler(), SVR()), "xgb": xgb.XGBRegressor(n_jobs=2)}
    else:
        classes = sorted(ytr.unique()); ytr = ytr.map({c:i for i,c in enumerate(classes)}); yte = yte.map({c:i for i,c in enumerate(classes)})
        ms = {"logistic": make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
              "logcv": make_pipeline(StandardScaler(), LogisticRegressionCV(max_iter=2000)),
              "rf": RandomForestClassifier(random_state=0), "hgb": HistGradientBoostingClassifier(random_state=0),
              "nb": GaussianNB(), "svc": make_pipeline(StandardScaler(), SVC(probability=True, random_state=0)),
              "xgb": xgb.XGBClassifier(n_jobs=2)}
    for k, m in ms.items():
        m.fit(Xtr, ytr)
        if metric == "rmse":
            v = mean_squared_error(yte, m.predict(Xte)) ** 0.5
        else:
            p = m.predict_proba(Xte)
            v = log_loss(yte, p, labels=list(range(len(classes)))) if metric == "log_loss" else roc_auc_score(yte, p[:, 1])
        res.setdefault(k, []).append(v)
print(name, metric, " ".join(f"{k} {np.mean(v):.4f}" for k, v in res.items()))
