package dataset

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

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
