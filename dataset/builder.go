package dataset

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Builder assembles a Frame from Go slices, one column per call:
//
//	f, err := dataset.NewBuilder(nil).
//		Float64("x", []float64{1, 2, math.NaN()}).
//		String("c", []string{"a", "b", "a"}, nil).
//		Build()
//
// Each method records a column and returns the Builder for chaining; the
// slices are read by Build, so do not modify them before it returns. A
// valid slice marks which values are present: nil means all, otherwise it
// must have the length of vals. Errors (length mismatches, empty or
// duplicate names) are reported by Build. A Builder is not safe for
// concurrent use; it may Build several times.
type Builder struct {
	mem  memory.Allocator
	cols []builderColumn
	err  error
}

type builderColumn struct {
	name  string
	n     int
	build func(mem memory.Allocator) arrow.Array
}

// NewBuilder returns a Builder allocating from mem; nil means
// memory.DefaultAllocator.
func NewBuilder(mem memory.Allocator) *Builder {
	return &Builder{mem: allocator(mem)}
}

func (b *Builder) add(name string, n int, valid []bool, build func(memory.Allocator) arrow.Array) *Builder {
	if b.err == nil && valid != nil && len(valid) != n {
		b.err = fmt.Errorf("%w: column %q: %d values but %d validity flags", ErrInvalid, name, n, len(valid))
	}
	b.cols = append(b.cols, builderColumn{name: name, n: n, build: build})
	return b
}

// Float64 adds a float64 column; NaN values are stored as null.
func (b *Builder) Float64(name string, vals []float64) *Builder {
	return b.add(name, len(vals), nil, func(mem memory.Allocator) arrow.Array {
		ab := array.NewFloat64Builder(mem)
		defer ab.Release()
		ab.Reserve(len(vals))
		for _, v := range vals {
			if math.IsNaN(v) {
				ab.AppendNull()
				continue
			}
			ab.Append(v)
		}
		return ab.NewArray()
	})
}

// Int64 adds an int64 column; valid nil means all values are present.
func (b *Builder) Int64(name string, vals []int64, valid []bool) *Builder {
	return b.add(name, len(vals), valid, func(mem memory.Allocator) arrow.Array {
		ab := array.NewInt64Builder(mem)
		defer ab.Release()
		ab.AppendValues(vals, valid)
		return ab.NewArray()
	})
}

// Bool adds a boolean column; valid nil means all values are present.
func (b *Builder) Bool(name string, vals []bool, valid []bool) *Builder {
	return b.add(name, len(vals), valid, func(mem memory.Allocator) arrow.Array {
		ab := array.NewBooleanBuilder(mem)
		defer ab.Release()
		ab.AppendValues(vals, valid)
		return ab.NewArray()
	})
}

// String adds a string column; valid nil means all values are present.
func (b *Builder) String(name string, vals []string, valid []bool) *Builder {
	return b.add(name, len(vals), valid, func(mem memory.Allocator) arrow.Array {
		ab := array.NewStringBuilder(mem)
		defer ab.Release()
		ab.AppendValues(vals, valid)
		return ab.NewArray()
	})
}

// Time adds a timestamp[us, UTC] column (the type ReadCSV infers for
// dates and times); valid nil means all values are present.
func (b *Builder) Time(name string, vals []time.Time, valid []bool) *Builder {
	return b.add(name, len(vals), valid, func(mem memory.Allocator) arrow.Array {
		ab := array.NewTimestampBuilder(mem, arrow.FixedWidthTypes.Timestamp_us.(*arrow.TimestampType))
		defer ab.Release()
		ab.Reserve(len(vals))
		for i, v := range vals {
			if valid != nil && !valid[i] {
				ab.AppendNull()
				continue
			}
			ab.Append(arrow.Timestamp(v.UnixMicro()))
		}
		return ab.NewArray()
	})
}

// Build returns a new Frame holding the columns added so far; the caller
// must Release it. Errors wrap ErrEmpty when no column was added and
// ErrInvalid for columns of different lengths, an empty or duplicate name,
// or a valid slice of the wrong length.
func (b *Builder) Build() (*Frame, error) {
	if b.err != nil {
		return nil, b.err
	}
	if len(b.cols) == 0 {
		return nil, fmt.Errorf("%w: no columns added to the Builder", ErrEmpty)
	}
	names := make([]string, len(b.cols))
	for j, c := range b.cols {
		names[j] = c.name
		if c.n != b.cols[0].n {
			return nil, fmt.Errorf("%w: column %q has %d values, column %q has %d", ErrInvalid, c.name, c.n, b.cols[0].name, b.cols[0].n)
		}
	}
	if err := checkBuilderNames(names); err != nil {
		return nil, err
	}
	arrs := make([]arrow.Array, len(b.cols))
	for j, c := range b.cols {
		arrs[j] = c.build(b.mem)
	}
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	return frameFromArrays(b.mem, names, arrs, b.cols[0].n)
}

func checkBuilderNames(names []string) error {
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if n == "" {
			return fmt.Errorf("%w: empty column name", ErrInvalid)
		}
		if seen[n] {
			return fmt.Errorf("%w: duplicate column name %q", ErrInvalid, n)
		}
		seen[n] = true
	}
	return nil
}

// Select returns a new Frame holding rows[0], rows[1], ... of f, in that
// order (repeats allowed, as for a bootstrap sample); the caller must
// Release it. f is unchanged. Buffers come from the allocator f was built
// with (memory.DefaultAllocator for NewFrame). An index outside
// [0, NumRows) is an error wrapping ErrInvalid.
func (f *Frame) Select(rows []int) (*Frame, error) {
	n := f.NumRows()
	for k, r := range rows {
		if r < 0 || r >= n {
			return nil, fmt.Errorf("%w: Select: rows[%d] = %d is outside [0, %d)", ErrInvalid, k, r, n)
		}
	}
	mem := allocator(f.mem)
	ib := array.NewInt64Builder(mem)
	ib.Reserve(len(rows))
	for _, r := range rows {
		ib.UnsafeAppend(int64(r))
	}
	idx := ib.NewArray()
	ib.Release()
	defer idx.Release()
	ctx := compute.WithAllocator(context.Background(), mem)
	arrs := make([]arrow.Array, 0, f.NumCols())
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	for j := range f.NumCols() {
		a, err := compute.TakeArrayOpts(ctx, f.Column(j), idx, compute.TakeOptions{BoundsCheck: false})
		if err != nil {
			return nil, fmt.Errorf("%w: Select: column %q: %w", ErrInvalid, f.Schema().Field(j).Name, err)
		}
		arrs = append(arrs, a)
	}
	return frameFromArrays(mem, f.Names(), arrs, len(rows))
}

// Drop returns a new Frame without the named columns, sharing the other
// columns' buffers with f; the caller must Release it (f stays valid and
// owned by its caller). A name not in f is an error wrapping ErrNoColumn.
func (f *Frame) Drop(names ...string) (*Frame, error) {
	drop := make(map[string]bool, len(names))
	for _, n := range names {
		if f.ColumnIndex(n) < 0 {
			return nil, fmt.Errorf("%w: Drop: %q", ErrNoColumn, n)
		}
		drop[n] = true
	}
	var keep []string
	var arrs []arrow.Array
	for j, n := range f.Names() {
		if !drop[n] {
			keep = append(keep, n)
			arrs = append(arrs, f.Column(j))
		}
	}
	return frameFromArrays(f.mem, keep, arrs, f.NumRows())
}
