package preprocess

import "errors"

// Sentinel errors of the preprocess package; the functions that return them
// wrap them with detail (column name, value, field).
var (
	// ErrInvalid reports bad arguments: a nil frame, a target of the wrong
	// length or out of range, a bad option, an unknown view.
	ErrInvalid = errors.New("preprocess: invalid input")
	// ErrMissingColumn reports a column the pipeline needs that is not in
	// the frame given to Transform.
	ErrMissingColumn = errors.New("preprocess: missing column")
	// ErrColumnType reports a column whose type cannot feed what the
	// pipeline learned for it (e.g. words where numbers were learned).
	ErrColumnType = errors.New("preprocess: incompatible column type")
	// ErrFormat reports an encoded pipeline that is corrupt or of an
	// unsupported version.
	ErrFormat = errors.New("preprocess: bad encoded pipeline")
	// ErrNotTraining reports a TransformTrain call on a pipeline that holds
	// no training folds (one decoded by UnmarshalBinary), or on a frame that
	// is not the training frame.
	ErrNotTraining = errors.New("preprocess: not the training data")
)
