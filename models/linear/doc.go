// Package linear holds the linear models of the AutoML model catalogue:
// multinomial logistic regression ("logistic"), ordinary least squares
// ("linear") and ridge regression ("ridge"). All take the dense feature
// view (models.InputDense): finite numbers, ideally standardised.
//
// # Models
//
// Logistic minimises scikit-learn's L2 objective 0.5*||B||² + C Σ w_i
// logloss_i with gonum's L-BFGS; two classes use one logit, more use a
// softmax. LeastSquares minimises Σ w_i (y_i - b - β·x_i)² + Alpha*||β||²
// by a QR factorisation (Alpha = 0 is OLS). Both implement
// models.Importancer (|coefficient| × feature standard deviation) and
// encoding.BinaryMarshaler/BinaryUnmarshaler (versioned, exact floats).
//
// # Registry
//
// The package registers "logistic", "linear" and "ridge" into
// models.Default from init; import it for its side effect:
//
//	import _ "github.com/automl-agent/automl/models/linear"
//
// # Ownership and concurrency
//
// Fit copies what it keeps from models.Data and never modifies it. A model
// must not be fitted concurrently with other use; after Fit, Predict and
// MarshalBinary are safe for concurrent use.
//
// # Errors
//
// A NaN or infinite feature at Fit or Predict is an error wrapping
// models.ErrData that names the feature and row; a wrong task wraps
// models.ErrTask; a bad setting wraps models.ErrParam; undecodable bytes
// wrap ErrEncoding.
//
// # Accuracy
//
// TestReference* compare against scikit-learn 1.2 (golden numbers from
// bench/reference/linear_knn_bayes.py): OLS and ridge coefficients agree to
// 1e-8; logistic coefficients agree to 1e-6 with the Newton-polished
// optimum of scikit-learn's objective, which our L-BFGS reaches while
// scikit-learn's L-BFGS-B can stop early on badly scaled features.
package linear
