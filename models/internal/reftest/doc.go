// Package reftest holds the helpers the reference tests of the simple model
// packages (bayes, knn, linear) share: a seeded synthetic data generator,
// the CSV files in each package's testdata that scikit-learn is fitted on
// (bench/reference/linear_knn_bayes.py), the golden JSON of scikit-learn's
// results, and tolerance checks.
//
// It is imported only by tests. Importing it registers the -update test
// flag, which makes CheckCSV rewrite the CSVs from the generator (then rerun
// the reference script to refresh the golden JSON).
//
// # Data layout
//
// A CSV holds columns x0..x{p-1}, y, w, one row per sample, floats in Go's
// shortest round-tripping form, so reading it back gives the generator's
// exact values. Every helper fails the test (never skips) on a missing or
// malformed file.
package reftest
