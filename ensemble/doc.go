// Package ensemble combines trained models from their out-of-fold
// predictions: greedy ensemble selection, stacking, and temperature
// calibration.
//
// Every function takes member predictions in the models contract layout
// (one value per row for regression; numClasses probabilities per row,
// row-major, for classification) and targets as in package evaluate (class
// indices as float64). Out-of-fold predictions are what
// evaluate.CrossValidate returns in CVResult.OOF: each row predicted by a
// model that did not train on it, so an ensemble fitted on them is not
// fooled by overfitted members.
//
// # Greedy ensemble selection
//
// Greedy implements Caruana et al. (2004) selection with replacement, as in
// auto-sklearn and AutoGluon: a Weighted ensemble whose weights are the
// fractions of rounds in which each member was added. It optimizes any
// evaluate.Metric directly on the blended predictions, is deterministic,
// and is never worse out of fold than the best single member. Combine
// applies the weights to new predictions. GreedyFrom starts the selection
// from a given ensemble (sorted initialisation) that it never drops: a
// caller that knows some members tie on its data keeps them all instead
// of letting the selection pick among them by noise.
//
// # Stacking
//
// Stack fits a linear meta-model (multinomial logistic regression for
// classification, ridge for regression) on the members' predictions,
// optionally with the original features, and cross-validates it over the
// given splits. Its Score is out of fold, on the same rows as Greedy's, so
// a caller keeps whichever is better. Stacking can recalibrate and
// re-weight members beyond convex combinations; on small data it often
// just ties Greedy, which is cheaper and more robust.
//
// # Calibration
//
// TemperatureScale fits a single temperature to out-of-fold probabilities
// by minimizing log loss; Temperature.Apply rescales new probabilities.
// It never changes the predicted class, so use it when the metric is log
// loss or calibrated probabilities matter.
//
// # Saving
//
// Weighted, Stacker and Temperature implement encoding.BinaryMarshaler and
// encoding.BinaryUnmarshaler with small JSON documents (the Stacker one is
// versioned); decoding rejects inconsistent data with ErrInput.
//
// # Concurrency
//
// Fitted values are read-only: Combine, Predict and Apply are safe for
// concurrent use. No function keeps or modifies the caller's slices.
package ensemble
