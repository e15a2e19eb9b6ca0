package dataset

import "errors"

// Sentinel errors; wrapped with detail (column, line) by the functions that return them.
var (
	// ErrInvalid reports malformed input: a bad file, header or value.
	ErrInvalid = errors.New("dataset: invalid input")
	// ErrNoColumn reports a column name that is not in the frame.
	ErrNoColumn = errors.New("dataset: no such column")
	// ErrEmpty reports a table with no rows or no columns.
	ErrEmpty = errors.New("dataset: empty table")
	// ErrFormat reports a file extension or format that is not supported.
	ErrFormat = errors.New("dataset: unsupported format")
	// ErrTarget reports a target column that cannot be learned: missing,
	// all null, a single class, or a type that does not fit the task.
	ErrTarget = errors.New("dataset: unusable target")
)
