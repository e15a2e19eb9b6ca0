// Package bayes holds Gaussian naive Bayes ("gaussian_nb"), a fast
// probabilistic classifier on the dense feature view (models.InputDense).
//
// # Model
//
// GaussianNB matches scikit-learn's GaussianNB: weighted class priors,
// per-class weighted means and variances, and var_smoothing × the largest
// feature variance added to every variance. TestReferenceGaussianNB checks
// means, variances and priors to 1e-12 and probabilities to 1e-9 against
// scikit-learn 1.2 (golden numbers from bench/reference/linear_knn_bayes.py).
//
// # Registry
//
// The package registers "gaussian_nb" into models.Default from init; import
// it for its side effect. Params: "var_smoothing".
//
// # Ownership and concurrency
//
// Fit copies what it keeps and never modifies models.Data. After Fit,
// Predict and MarshalBinary are safe for concurrent use. Bad features
// (NaN, ±Inf) give errors wrapping models.ErrData naming the feature and
// row; undecodable bytes wrap ErrEncoding.
package bayes
