package dataset

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// ReadCSV reads a delimited text table with a header row from r and returns
// it as a Frame; the caller must Release the Frame.
//
// Parsing uses encoding/csv: quoted fields (with embedded delimiters,
// quotes and newlines), CRLF line endings and a leading UTF-8 byte order
// mark are handled. Cells equal to one of opts.NullValues (after trimming
// spaces) are null. Each column's type is inferred from all its non-null
// cells, narrowest first: int64, float64, bool (true/false, TRUE/FALSE,
// True/False), timestamp (RFC 3339, "2006-01-02", "2006-01-02 15:04:05";
// stored as timestamp[us, UTC], zone-less times taken as UTC), else string.
// A float cell "NaN" (when not already a null marker) is stored as null.
// opts.Types forces a column's type instead.
//
// Errors wrap ErrEmpty for input without a header, ErrNoColumn for a Types
// key that is not a column, and ErrInvalid, naming the line and column, for
// a malformed quote, a row with the wrong number of fields, invalid UTF-8,
// an empty or duplicate header name, or a cell that does not parse as its
// forced type (the line given is the one the record starts on; columns
// are counted from 1). A header without data rows gives a Frame of 0 rows and
// string columns. ReadCSV checks ctx between rows and never panics.
func ReadCSV(ctx context.Context, r io.Reader, opts CSVOptions) (*Frame, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: nil reader", ErrInvalid)
	}
	mem := allocator(opts.Allocator)
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	cr := csv.NewReader(br)
	if opts.Delimiter != 0 {
		cr.Comma = opts.Delimiter
	}
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.LazyQuotes = opts.LazyQuotes

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: no header line", ErrEmpty)
	}
	if err != nil {
		return nil, csvError(err)
	}
	names := make([]string, len(header))
	for j, h := range header {
		if !utf8.ValidString(h) {
			return nil, fmt.Errorf("%w: line 1, column %d: invalid UTF-8 in header", ErrInvalid, j+1)
		}
		names[j] = strings.Clone(h)
	}
	if err := checkNames(names); err != nil {
		return nil, err
	}
	cols := make([]*textColumn, len(names))
	index := make(map[string]int, len(names))
	for j, n := range names {
		cols[j] = &textColumn{name: n}
		index[n] = j
	}
	for name, t := range opts.Types {
		j, ok := index[name]
		if !ok {
			return nil, fmt.Errorf("%w: %q in CSVOptions.Types", ErrNoColumn, name)
		}
		if _, err := t.arrowType(); t != TypeAuto && err != nil {
			return nil, fmt.Errorf("%w (column %q)", err, name)
		}
		cols[j].typ = t
	}

	nullList := opts.NullValues
	if nullList == nil {
		nullList = DefaultNullValues
	}
	nulls := make(map[string]struct{}, len(nullList))
	for _, v := range nullList {
		nulls[strings.TrimSpace(v)] = struct{}{}
	}
	_, emptyIsNull := nulls[""]
	// nullStart[b] is set when some null marker starts with byte b; other
	// cells skip the map lookup unless they start with a space.
	var nullStart [256]bool
	for v := range nulls {
		if v != "" {
			nullStart[v[0]] = true
		}
	}
	for _, b := range []byte(" \t\n\r\v\f") {
		nullStart[b] = true
	}
	isNull := func(v string) bool {
		if v == "" {
			return emptyIsNull
		}
		if !nullStart[v[0]] {
			return false
		}
		if _, ok := nulls[v]; ok {
			return true
		}
		_, ok := nulls[strings.TrimSpace(v)]
		return ok
	}

	var lines []int
	for row := 0; opts.MaxRows <= 0 || row < opts.MaxRows; row++ {
		if row%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(cols) {
			return nil, fmt.Errorf("%w: line %d: %d fields, want %d as in the header", ErrInvalid, line, len(rec), len(cols))
		}
		lines = append(lines, line)
		for j, v := range rec {
			if !utf8.ValidString(v) {
				l, _ := cr.FieldPos(j)
				return nil, fmt.Errorf("%w: line %d, column %d (%q): invalid UTF-8", ErrInvalid, l, j+1, names[j])
			}
			if isNull(v) {
				cols[j].add("", cellNull)
				continue
			}
			cols[j].add(v, canAny)
		}
	}
	return buildFrame(ctx, mem, cols, lines, len(lines))
}

// csvError wraps an encoding/csv error, which names line and column.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%w: line %d, column %d: %v", ErrInvalid, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("%w: %w", ErrInvalid, err)
}

// WriteCSV writes f to w as comma-separated text with a header row. Nulls
// are empty cells; values are formatted as Strings formats them (so
// ReadCSV reads back the same types, except all-null and string columns
// whose text looks like another type). f is borrowed.
func WriteCSV(w io.Writer, f *Frame) error {
	if f == nil {
		return fmt.Errorf("%w: nil frame", ErrInvalid)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(f.Names()); err != nil {
		return err
	}
	n, p := f.NumRows(), f.NumCols()
	cols := make([][]string, p)
	valid := make([][]bool, p)
	for j := range p {
		cols[j], valid[j] = csvStrings(f.Column(j))
	}
	rec := make([]string, p)
	for i := range n {
		for j := range p {
			if valid[j][i] {
				rec[j] = cols[j][i]
			} else {
				rec[j] = ""
			}
		}
		if p == 1 && rec[0] == "" {
			// csv.Writer would write an empty line, which readers skip.
			cw.Flush()
			if err := cw.Error(); err != nil {
				return err
			}
			if _, err := io.WriteString(w, "\"\"\n"); err != nil {
				return err
			}
			continue
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvStrings is Strings with timestamps written at microsecond precision
// and floats always readable as floats.
func csvStrings(a arrow.Array) ([]string, []bool) {
	vals, valid := Strings(a)
	switch c := a.(type) {
	case *array.Timestamp:
		unit := c.DataType().(*arrow.TimestampType).Unit
		for i := range vals {
			if valid[i] {
				vals[i] = c.Value(i).ToTime(unit).UTC().Format(time.RFC3339Nano)
			}
		}
	case *array.Float64:
		// "3" would read back as int64; keep a decimal point.
		for i, v := range vals {
			if valid[i] && strings.IndexAny(v, ".eEnN") < 0 {
				vals[i] = v + ".0"
			}
		}
	case *array.Float32:
		for i, v := range vals {
			if valid[i] && strings.IndexAny(v, ".eEnN") < 0 {
				vals[i] = v + ".0"
			}
		}
	}
	return vals, valid
}
