// Package codec holds the little-endian binary encoding shared by the
// MarshalBinary/UnmarshalBinary methods of the simple model packages
// (baseline, bayes, knn, linear).
//
// # Format
//
// An encoding starts with a magic string naming the model type (for example
// "automl/knn.KNN\x00") and a uint64 format version, followed by the fields
// the model writes. Every value is 8 bytes little-endian: uint64 as is, int
// as its uint64 bits, float64 as its IEEE 754 bits (exact round trip, NaN
// payloads included). A float slice is its length followed by its values.
//
// # Errors
//
// A Decoder keeps the first error it meets and turns every later read into a
// no-op that returns a zero value, so a model's UnmarshalBinary reads all its
// fields in a row and checks once, with Finish. Every error wraps the
// sentinel the caller passed to NewDecoder, so each model package keeps its
// own exported ErrEncoding. Decoding never panics on bad input, and a length
// read from the input is checked against the bytes left before anything is
// allocated.
//
// # Ownership
//
// Encoder and Decoder are not safe for concurrent use. Encoder.Bytes returns
// the encoder's buffer, which the caller then owns. A Decoder borrows the
// input slice and never writes to it; the slices it returns are fresh copies.
package codec
