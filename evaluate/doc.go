// Package evaluate scores models: metrics, train/test splits,
// cross-validation with out-of-fold predictions, the leaderboard, and
// permutation importance.
//
// Predictions everywhere follow the models contract: for regression one
// value per row; for classification K probabilities per row, row-major
// (pred[i*K+c]), with targets as class indices 0..K-1 stored in float64.
// Weights are per row; a nil weight slice means every row weighs 1.
//
// # Metrics
//
// A Metric has a Name, a direction (Greater) and a Score. The built-in ones
// are Accuracy, BalancedAccuracy, F1 (binary, class 1), F1Macro, LogLoss,
// ROCAUC (binary, or macro one-vs-rest), RMSE, MAE and R2; MetricByName
// finds them by name and DefaultMetric picks one per task. Each matches
// sklearn.metrics to 1e-12, weights included (testdata/metrics_golden.json,
// written by bench/reference/metrics.py). Loss, Better and Worst compare
// scores without caring about the direction.
//
// Label metrics (Accuracy, BalancedAccuracy, F1, F1Macro) implement
// LabelMetric: Score labels each row by argmax, ScoreLabels takes labels.
// For binary tasks TuneThreshold finds the decision threshold on the
// class-1 probability that maximizes a label metric out of fold, and
// Thresholded scores with that threshold.
//
// Bad input (no rows, length mismatch, NaN, class out of range, bad
// weights, wrong task) is an error wrapping ErrInput; nothing panics.
//
// # Splits
//
// KFold, StratifiedKFold, Holdout, StratifiedHoldout and GroupKFold return
// Splits of row indices, sorted, deterministic for a seed.
//
// # Cross-validation
//
// CrossValidate fits one fresh model per split and returns a CVResult:
// the out-of-fold predictions (the input of ensemble selection and
// stacking), fold scores with their mean and standard deviation, the fold
// models for bagged prediction, and timings. Model panics become errors
// wrapping ErrPanic.
//
// # Leaderboard
//
// A Leaderboard holds one Row per trial, sorts them best first and prints
// a table. Its JSON form is versioned ("version": 1) and stable, and never
// contains NaN (written as null); the printed table is for people and may
// change.
//
// # Importance
//
// PermutationImportance shuffles one feature column at a time and reports
// the drop in score; PermutationImportanceFunc does the same through a
// callback, for callers that permute columns of something else (such as a
// data frame before preprocessing).
//
// # Ownership and concurrency
//
// Functions never keep or modify the caller's slices (CVResult.OOF and the
// splits are new). Metrics are stateless values, safe for concurrent use;
// a Leaderboard is not safe for concurrent mutation.
package evaluate
