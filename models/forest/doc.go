// Package forest implements tree ensembles on histogram bins: a random
// forest, extra-trees and a single CART decision tree, for regression and
// classification. They register into models.Default() as "random_forest",
// "extra_trees" and "cart" (input models.InputNative).
//
// # Algorithms
//
//   - random_forest (Breiman 2001): each tree grows on a bootstrap sample
//     (drawn as a multiset and used as row weights); each node tries
//     max_features random features ("sqrt" for classification, all for
//     regression, as scikit-learn) and keeps the best threshold.
//   - extra_trees (Geurts, Ernst & Wehenkel 2006): all rows; each candidate
//     feature gets one random threshold, a bin drawn uniformly between the
//     node's lowest and highest present bin; the best of those wins.
//   - cart: one tree, all rows, all features, best thresholds.
//
// Splits maximize the decrease in Gini impurity (classification) or in
// squared error (regression), weighted by sample weights. Trees grow depth
// first until max_depth, min_samples_split, min_samples_leaf,
// min_impurity_decrease or purity stops them.
//
// With Config.OOB (param "oob"), a random forest also keeps the out-of-bag
// prediction of every training row (Forest.OOBPrediction): each row
// predicted by the trees whose bootstrap sample left it out.
//
// # Bins, missing values and categories
//
// Fit uses Data.Bins when set and otherwise bins X with models.NewBinned
// (up to max_bins quantile bins per numeric feature). Candidate thresholds
// are the upper edges of the bins, so a tree stores float thresholds and
// Predict routes raw values (x <= threshold goes left) without a binner.
//
// Every split learns where missing values go: both directions are tried
// when the node has NaN rows, and "present vs missing" is itself a
// candidate split. When a node had no NaN, missing values follow the child
// with the larger weight.
//
// A categorical feature (Data.Categories[j] > 0) is split on a subset of
// categories: the node's categories (missing counting as one) are ordered
// by mean target, or by the share of a class, and every prefix of that
// order is tried (Breiman's trick, exact for regression and binary
// classification). Multiclass tries one ordering per class (only the
// node's majority class above 4 classes). Categories absent from the node
// follow the larger child; category codes never seen in training go where
// missing values go.
//
// # Speed
//
// Each tree partitions one row-index array in place (a node's rows are a
// contiguous range) and builds per-feature histograms over the bins: count
// and weighted sums per bin, with the list of non-empty bins kept as a
// bitmap so small nodes cost no more than their rows. When a node tries at
// least half the features, every feature's histogram is kept and the larger
// child's is the parent's minus the smaller child's (the subtraction
// trick). Trees grow in parallel, one per goroutine (Config.Jobs, default
// GOMAXPROCS); prediction runs over blocks of rows in parallel.
//
// # Determinism, cancellation, ownership
//
// Tree t draws from its own stream rand.NewPCG(seed, t), and importances
// and predictions are summed in tree order, so a fixed seed gives
// bit-identical models and predictions whatever the parallelism. Fit checks
// ctx between trees and every 64 nodes within a tree. Fit copies nothing it
// does not need and keeps no reference to the Data once it returns.
//
// # Saving
//
// Forest implements encoding.BinaryMarshaler and BinaryUnmarshaler: a
// versioned little-endian format of 16 bytes per node. A loaded forest
// predicts bit-identically; corrupt bytes give an error wrapping ErrFormat,
// never a panic.
package forest
