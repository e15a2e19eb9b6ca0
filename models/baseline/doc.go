// Package baseline holds "prior", the model that always fits: it predicts
// the class shares of the training weight (classification) or the weighted
// mean of the target (regression) and ignores the features. AutoML keeps it
// as the never-empty-handed fallback and as the floor every other model
// must beat on the leaderboard.
//
// # Registry
//
// The package registers "prior" into models.Default from init; import it
// for its side effect. It takes no parameters.
//
// # Behaviour on odd data
//
// Fit accepts one row, no features, NaN features and all-zero weights
// (then every row counts 1); only the target is checked (models.Data.Check
// rules). Predict writes K probabilities or one value per row of X; with
// a model fitted on no features, X has no columns, hence no rows. Prior
// is safe for concurrent Predict after Fit and round-trips exactly through
// MarshalBinary/UnmarshalBinary (bad bytes wrap ErrEncoding).
package baseline
