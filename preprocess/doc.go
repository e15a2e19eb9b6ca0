// Package preprocess turns a dataset.Frame into numeric, column-major
// features for models: a Pipeline is learned once on the training rows
// (Fit), saved with the predictor (MarshalBinary), and applied to any frame
// with the same columns (Transform). Models never see Arrow or column
// names, only Features: X (column-major float64), Names, Categories.
//
//	p, err := preprocess.Fit(ctx, frame, "target", y, numClasses, preprocess.Options{})
//	train, err := p.TransformTrain(frame, preprocess.Native) // out-of-fold encodings
//	test, err := p.Transform(newFrame, preprocess.Native)    // full-data encodings
//
// # Column kinds
//
// Each column except the target gets a kind, inferred or forced by
// Options.Kinds:
//
//   - numeric: integer, float and boolean columns, and string columns of
//     which at least 95% of the non-empty values parse as numbers
//     (unparseable values are then missing).
//   - datetime: timestamp and date columns, and strings of which 95% parse
//     with one known layout (RFC 3339, 2006-01-02, 2006-01-02 15:04:05,
//     2006/01/02, 01/02/2006, ...). Expanded to year, month, day, weekday
//     (0 = Sunday), hour, all in UTC, and Unix seconds; a part that is
//     constant in training (the hour of plain dates) is left out.
//   - text: strings with at least half of their values distinct and at
//     least two tokens per value on average (names, titles). Expanded to
//     TextHashBuckets counts of hashed tokens (lowercased maximal runs of
//     letters and digits, 32-bit FNV-1a), the length in runes and the
//     token count. A null is the empty string.
//   - categorical: other strings (and any column forced categorical,
//     whose values are formatted as strings). The MaxCategories most
//     frequent levels seen at least MinCategoryCount times are kept, in
//     sorted order; the rest, and levels unseen in training, are "other".
//     Null and the empty string are missing.
//
// Dropped: constant and all-missing columns; identifier-like columns
// (unique, nearly consecutive integers, or near-unique integers under an
// id-like name such as "id", "user_id", "PassengerId"; near-unique
// single-token strings); columns in Options.Drop. Pipeline.Columns says
// what happened to each column and why. Only rows whose y is not NaN count
// when inferring kinds and learning statistics.
//
// # Views
//
// Native is for tree models: numbers as they are (NaN for missing and
// non-finite values), datetime parts and text counts unscaled, categorical
// columns as codes 0..c-1 with c = kept levels + 1 ("other" is always code
// c-1, missing is NaN) and Features.Categories[j] = c, which fits uint8
// bins with the default MaxCategories. A categorical column with more than
// 254 kept levels (possible only with MaxCategories > 254) gets a
// frequency and a target encoding instead, NaN when missing.
//
// Dense is for linear, distance and neural models: no NaN anywhere.
// Numbers, datetime parts and text counts are imputed with the training
// median, followed by a 0/1 "col:missing" column if training had missing
// values, and standardized with the training mean and population standard
// deviation (a zero deviation counts as 1). A categorical column with at
// most MaxOneHot levels is one-hot encoded (a "col=<other>" column exists
// only when training had merged levels; an unseen level goes there, or to
// all zeros when there is none; missing is all zeros); a larger one gets a
// standardized frequency column (training share of the level) and
// target-encoding columns.
//
// # Target encoding and leakage
//
// A level's target encoding is the smoothed mean (sum + m*prior) /
// (count + m), m = 10, of the target: the value for regression, the
// indicator of class 1 for a binary target, of each class (up to the 10
// most frequent) for a multiclass target. Missing and "other" are levels of
// their own; an unseen level gets the "other" encoding, the prior when
// training had no other level.
//
// Encoding a training row with statistics that include its own target
// leaks the answer into the features, and models then overfit to it. So
// Fit deals the rows with a target into 5 folds (seeded by Options.Seed)
// and TransformTrain encodes each such row with statistics (and prior)
// learned on the other 4 folds only: no row ever sees its own target.
// Transform, for validation, test and prediction rows, uses statistics of
// all training rows. To fit on a training fold of a larger frame, pass NaN
// in y for the other rows: they are ignored by Fit and get the full-data
// encoding from TransformTrain too. The Dense scaling of the encodings is
// learned on the out-of-fold values.
//
// Cross-validating on TransformTrain's features would still let a model
// see, through its training rows' encodings, the targets of the rows it
// is scored on. FoldEncodings recomputes the encodings of one split from
// its training rows only, with the encoding folds nested inside them;
// TargetEncoded names the features to replace. Every other statistic
// (medians, levels, frequencies, scales) is learned without reading the
// target.
//
// # Prediction-time frames
//
// Columns are found by name: order does not matter and extra columns are
// ignored. A needed column that is absent is an ErrMissingColumn error.
// Strings where numbers were learned are parsed; a value that does not
// parse is an ErrColumnType error (for a column learned from strings it is
// missing, as in training). Numbers where a datetime was learned are an
// ErrColumnType error. Any type can feed a categorical or text column.
//
// # Ownership and concurrency
//
// Fit and Transform borrow the frame for the duration of the call and keep
// no Arrow memory. Every Features column is a new slice owned by the
// caller. A Pipeline is read-only after Fit or UnmarshalBinary and safe for
// concurrent use.
//
// # Stability
//
// MarshalBinary writes versioned JSON ("format": "automl.preprocess",
// "version": 1) in which every float round-trips exactly (NaN and ±Inf as
// strings), so a decoded pipeline transforms bit-identically. A file of
// another version fails with ErrFormat. Feature names are for people (logs,
// importances); models see only positions.
package preprocess
