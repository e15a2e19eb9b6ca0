package preprocess

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/automl-agent/automl/dataset"
)

// isNumberType reports Arrow types read as numbers by dataset.Floats.
func isNumberType(t arrow.DataType) bool {
	id := t.ID()
	return arrow.IsInteger(id) || arrow.IsFloating(id) || id == arrow.BOOL
}

// isTimeType reports Arrow timestamp and date types.
func isTimeType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.TIMESTAMP, arrow.DATE32, arrow.DATE64:
		return true
	}
	return false
}

// parseNumber parses a decimal number, allowing surrounding spaces.
func parseNumber(s string) (float64, bool) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return v, err == nil
}

// readNumbers reads column a of c as numbers, NaN for missing and for
// non-finite values. Numeric, boolean, timestamp and date arrays convert as
// in dataset.Floats. Other arrays are formatted and parsed: an empty or
// null slot is missing; an unparseable value is missing when c.Coerce, else
// an ErrColumnType error.
func readNumbers(a arrow.Array, c *column) ([]float64, error) {
	if isNumberType(a.DataType()) || isTimeType(a.DataType()) || a.DataType().ID() == arrow.NULL {
		v, err := dataset.Floats(a)
		if err != nil {
			return nil, fmt.Errorf("%w: column %q: %v", ErrColumnType, c.Name, err)
		}
		for i, x := range v {
			if math.IsInf(x, 0) {
				v[i] = math.NaN()
			}
		}
		return v, nil
	}
	vals, valid := dataset.Strings(a)
	out := make([]float64, len(vals))
	for i, s := range vals {
		out[i] = math.NaN()
		if !valid[i] || s == "" {
			continue
		}
		x, ok := parseNumber(s)
		if !ok {
			if c.Coerce {
				continue
			}
			return nil, fmt.Errorf("%w: column %q was numeric in training, row %d holds %q", ErrColumnType, c.Name, i, s)
		}
		if !math.IsInf(x, 0) {
			out[i] = x
		}
	}
	return out, nil
}

// dateLayouts are the string layouts recognized as dates, tried in order.
var dateLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02",
	"01/02/2006 15:04:05",
	"01/02/2006",
	"02.01.2006",
	"2006-01",
}

// layoutUnix marks a datetime column learned from numbers: seconds since
// the Unix epoch.
const layoutUnix = "unix"

// parseTime parses s with layout first (if not ""), then with every known
// layout.
func parseTime(s, layout string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if layout != "" {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// unixSeconds converts t to float seconds since the Unix epoch.
func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

// readSeconds reads column a of datetime column c as seconds since the
// Unix epoch, NaN for missing. Timestamp and date arrays convert directly;
// strings parse with c.Layout (unparseable → missing) or, for a column
// learned from timestamps, with every known layout (unparseable → error);
// numbers are accepted only when the column was learned from numbers.
func readSeconds(a arrow.Array, c *column) ([]float64, error) {
	t := a.DataType()
	switch {
	case isTimeType(t) || t.ID() == arrow.NULL:
		return readNumbers(a, c)
	case isNumberType(t):
		if c.Layout != layoutUnix {
			return nil, fmt.Errorf("%w: column %q was a datetime in training, got %s", ErrColumnType, c.Name, t)
		}
		return readNumbers(a, c)
	}
	vals, valid := dataset.Strings(a)
	out := make([]float64, len(vals))
	layout := c.Layout
	if layout == layoutUnix {
		layout = ""
	}
	for i, s := range vals {
		out[i] = math.NaN()
		if !valid[i] || s == "" {
			continue
		}
		if c.Layout == layoutUnix {
			if x, ok := parseNumber(s); ok && !math.IsInf(x, 0) {
				out[i] = x
				continue
			}
		}
		tm, ok := parseTime(s, layout)
		if !ok {
			if c.Layout != "" {
				continue
			}
			return nil, fmt.Errorf("%w: column %q was a datetime in training, row %d holds %q", ErrColumnType, c.Name, i, s)
		}
		out[i] = unixSeconds(tm)
	}
	return out, nil
}

// parseTimeExact parses s (spaces trimmed) with layout only.
func parseTimeExact(s, layout string) (time.Time, error) {
	return time.Parse(layout, strings.TrimSpace(s))
}
