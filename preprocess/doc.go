// Package preprocess turns a dataset.Frame into numeric, column-major
// features for models: a Pipeline is learned once on the training rows
// (Fit), saved with the predictor (MarshalBinary), and applied to any frame
// with the same columns (Transform). Models never see Arrow or column names.
package preprocess
