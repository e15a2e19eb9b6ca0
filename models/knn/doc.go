// Package knn holds k-nearest-neighbours ("knn") for classification and
// regression on the dense feature view (models.InputDense).
//
// # Algorithm
//
// Brute force: squared Euclidean distances ||q||² + ||t||² - 2 q·t for
// blocks of 64 queries against blocks of 192 training rows by gonum's
// Dgemm, with a bounded max-heap of the k best per query. Equal distances
// go to the lower training row, and a row equal to a query is at distance
// exactly 0, so results are deterministic and independent of GOMAXPROCS.
// Fit keeps at most MaxTrainRows rows (a seeded sample), which bounds the
// cost of Predict to about n_query × MaxTrainRows × features.
//
// # Registry
//
// The package registers "knn" into models.Default from init; import it
// for its side effect. Params: "k", "weights" ("uniform" | "distance"),
// "max_train_rows", "seed".
//
// # Ownership and concurrency
//
// Fit copies the kept rows (row-major) and never modifies models.Data.
// After Fit, Predict, Query and MarshalBinary are safe for concurrent use;
// Predict runs KNN.Threads goroutines (param "threads", two by default).
//
// # Accuracy
//
// TestReferenceKNN compares with scikit-learn 1.2 KNeighborsClassifier and
// KNeighborsRegressor (brute, k = 5): identical neighbours, identical
// uniform predictions, distance-weighted predictions within 1e-13 (the
// distances differ in the last bits). scikit-learn puts a query equal to a
// training row at a distance of up to ~1e-7 rather than 0, so for such
// queries its "distance" weighting differs from ours (and from its own
// zero-distance rule).
package knn
