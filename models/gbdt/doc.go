// Package gbdt is a second-order histogram gradient-boosted decision tree
// learner (LightGBM / XGBoost-hist style), registered as "gbdt" in
// models.Default.
//
// # Model
//
// Each round fits one regression tree per output (one per class for
// multiclass softmax) to the gradients and hessians of the loss: squared
// error, Huber, absolute error (leaves renewed to the residual median),
// binary log loss or multiclass softmax. Leaf values are the Newton step
// -G/(H+lambda_l2) (L1 soft-thresholded), shrunk by learning_rate. The
// initial score is the mean, median, log-odds or class log-priors.
//
// # Trees
//
// Trees grow leaf-wise (the leaf with the best gain splits next) up to
// max_leaves and max_depth. Split finding runs on uint8 bins
// (models.Binned, shared across trials when Data.Bins is set): histograms
// of float64 (gradient, hessian) pairs per feature, the smaller child built
// from its rows and the larger one derived by subtraction from the parent.
// The rows of a leaf are one contiguous range of a single index array,
// partitioned in place. Missing values (bin 255) go to the side that gains
// more, tried both ways; a node that saw none sends them to its bigger
// child. Categorical features split natively: one-vs-rest for few
// categories, otherwise categories sorted by G/(H+cat_smooth) and the best
// prefix taken (as LightGBM), stored as a 256-bit set.
//
// # Parallelism and determinism
//
// Fit starts `threads` - 1 worker goroutines once (an internal/par Pool,
// whose idle workers spin for 20 us before they park, so the loops of a
// tree hand over without scheduler wake-ups) and reuses them for every
// parallel loop of every tree: the histograms and split search of a node
// are spread over them by feature (groups of four features, then single
// features so the threads finish together) unless the node is tiny (its
// rows plus bins, times features, under 16k), nodes of 4k+ rows are
// partitioned and their gradients gathered in one chunk per thread, and
// gradients, scores and leaf assignments run in row chunks. Every
// feature's histogram is summed by one goroutine in row order and every
// chunked step is an exact reordering, so a fixed seed gives bit-identical
// models at any GOMAXPROCS or threads. A panic in any of these goroutines
// is returned as Fit's error. Prediction runs blocks of rows in parallel
// over a flat tree layout with float thresholds, so it needs no binner.
// Fit checks ctx between trees.
//
// # Files
//
// Model implements encoding.BinaryMarshaler and BinaryUnmarshaler with a
// compact, versioned format; a loaded model predicts bit-identically, and
// corrupt data is an error wrapping ErrFormat.
//
// # Early stopping
//
// On by default (early_stopping_rounds 50, max_rounds 2000): with
// Data.Valid set, Fit stops on it; without, and with at least
// early_stopping_min_rows (10,000) rows, Fit holds out validation_fraction
// (10%, at least 50 rows or a quarter, at most 10,000) of the rows it is
// given, stratified by class and drawn with the seed param, trains on the
// rest and stops when the validation loss has not improved for
// early_stopping_rounds rounds. It keeps the trees up to the best round
// (LightGBM's and scikit-learn HistGradientBoosting's way) and reports
// that count through models.Refitter, so a refit on all rows runs the
// rounds the folds kept. On smaller tables num_rounds (100) rounds run on
// all rows: held out on the developer datasets, stopping on 50-80 rows
// was worse than fixed rounds (see bench/speed/README.md).
//
// # Seeds
//
// The "seed" param (default 0) seeds row bagging, feature sampling and the
// validation split; each fold model of a search should get its own.
package gbdt
