package ensemble

import "errors"

// ErrInput reports unusable input to an ensemble function: no members,
// predictions of the wrong length or with NaN, a weight vector that does
// not match the members, or a file of an unknown format version. Functions
// wrap it with detail; test with errors.Is.
var ErrInput = errors.New("ensemble: bad input")
