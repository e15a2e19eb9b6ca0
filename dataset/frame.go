package dataset

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Frame is an immutable, Arrow-backed table: one typed column per field, all
// of the same length.
//
// A Frame holds one reference to its record. The caller that receives a Frame
// (from NewFrame, a reader or a Builder) owns that reference and must call
// Release when done; Retain adds a reference for another owner. Arrays
// returned by Column are borrowed: valid until the Frame's last Release.
// A Frame is safe for concurrent reads.
type Frame struct {
	rec arrow.RecordBatch
	mem memory.Allocator // allocator for derived frames (Select); nil = default
}

// NewFrame wraps rec in a Frame. The Frame retains rec, so the caller keeps
// (and must still release) its own reference.
func NewFrame(rec arrow.RecordBatch) (*Frame, error) {
	if rec == nil {
		return nil, fmt.Errorf("%w: nil record", ErrInvalid)
	}
	seen := make(map[string]int, rec.NumCols())
	for i, f := range rec.Schema().Fields() {
		if f.Name == "" {
			return nil, fmt.Errorf("%w: column %d has an empty name", ErrInvalid, i)
		}
		if j, ok := seen[f.Name]; ok {
			return nil, fmt.Errorf("%w: columns %d and %d are both named %q", ErrInvalid, j, i, f.Name)
		}
		seen[f.Name] = i
	}
	rec.Retain()
	return &Frame{rec: rec}, nil
}

// Record returns the underlying Arrow record, borrowed: valid until the
// Frame's last Release. Retain it to keep it longer.
func (f *Frame) Record() arrow.RecordBatch { return f.rec }

// Schema returns the frame's Arrow schema.
func (f *Frame) Schema() *arrow.Schema { return f.rec.Schema() }

// NumRows returns the number of rows.
func (f *Frame) NumRows() int { return int(f.rec.NumRows()) }

// NumCols returns the number of columns.
func (f *Frame) NumCols() int { return int(f.rec.NumCols()) }

// Names returns the column names in order, in a new slice.
func (f *Frame) Names() []string {
	fs := f.rec.Schema().Fields()
	out := make([]string, len(fs))
	for i, fd := range fs {
		out[i] = fd.Name
	}
	return out
}

// Column returns column i, borrowed: valid until the Frame's last Release.
// It panics if i is out of range.
func (f *Frame) Column(i int) arrow.Array { return f.rec.Column(i) }

// ColumnIndex returns the index of the column named name, or -1.
func (f *Frame) ColumnIndex(name string) int {
	idx := f.rec.Schema().FieldIndices(name)
	if len(idx) == 0 {
		return -1
	}
	return idx[0]
}

// Retain adds a reference to the frame's data.
func (f *Frame) Retain() { f.rec.Retain() }

// Release drops a reference; the data is freed when the last one goes.
func (f *Frame) Release() { f.rec.Release() }
