package dataset

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Floats returns column a as float64s in a new slice, with NaN at null
// slots. Numbers convert as they are, booleans to 0/1, timestamps and dates
// to seconds since the Unix epoch. A string or other column is an error
// wrapping ErrInvalid.
func Floats(a arrow.Array) ([]float64, error) {
	n := a.Len()
	out := make([]float64, n)
	set := func(get func(i int) float64) {
		for i := 0; i < n; i++ {
			if a.IsNull(i) {
				out[i] = math.NaN()
			} else {
				out[i] = get(i)
			}
		}
	}
	switch c := a.(type) {
	case *array.Float64:
		set(func(i int) float64 { return c.Value(i) })
	case *array.Float32:
		set(func(i int) float64 { return float64(c.Value(i)) })
	case *array.Int64:
		set(func(i int) float64 { return float64(c.Value(i)) })
	case *array.Int32:
		set(func(i int) float64 { return float64(c.Value(i)) })
	case *array.Int16:
		set(func(i int) float64 { return float64(c.Value(i)) })
	case *array.Int8:
		set(func(i int) float64 { return float64(c.Value(i)) })
	case *array.Uint64:
		set(func(i int) float64 { return float64(c.Value(i)) })
	case *array.Uint32:
		set(func(i int) float64 { return float64(c.Value(i)) })
	case *array.Uint16:
		set(func(i int) float64 { return float64(c.Value(i)) })
	case *array.Uint8:
		set(func(i int) float64 { return float64(c.Value(i)) })
	case *array.Boolean:
		set(func(i int) float64 {
			if c.Value(i) {
				return 1
			}
			return 0
		})
	case *array.Timestamp:
		unit := c.DataType().(*arrow.TimestampType).Unit
		set(func(i int) float64 { return float64(c.Value(i).ToTime(unit).UnixNano()) / 1e9 })
	case *array.Date32:
		set(func(i int) float64 { return float64(c.Value(i).ToTime().Unix()) })
	case *array.Date64:
		set(func(i int) float64 { return float64(c.Value(i).ToTime().Unix()) })
	case *array.Null:
		set(func(int) float64 { return math.NaN() })
	default:
		return nil, fmt.Errorf("%w: column of type %s is not numeric", ErrInvalid, a.DataType())
	}
	return out, nil
}

// Strings returns column a formatted as strings in a new slice, and whether
// each slot is valid (non-null). Numbers use the shortest representation
// that round-trips, booleans "true"/"false", timestamps RFC 3339.
func Strings(a arrow.Array) (vals []string, valid []bool) {
	n := a.Len()
	vals = make([]string, n)
	valid = make([]bool, n)
	for i := 0; i < n; i++ {
		if a.IsNull(i) {
			continue
		}
		valid[i] = true
		vals[i] = formatValue(a, i)
	}
	return vals, valid
}

func formatValue(a arrow.Array, i int) string {
	switch c := a.(type) {
	case *array.String:
		return c.Value(i)
	case *array.LargeString:
		return c.Value(i)
	case *array.Float64:
		return strconv.FormatFloat(c.Value(i), 'g', -1, 64)
	case *array.Float32:
		return strconv.FormatFloat(float64(c.Value(i)), 'g', -1, 32)
	case *array.Int64:
		return strconv.FormatInt(c.Value(i), 10)
	case *array.Int32:
		return strconv.FormatInt(int64(c.Value(i)), 10)
	case *array.Boolean:
		return strconv.FormatBool(c.Value(i))
	case *array.Timestamp:
		unit := c.DataType().(*arrow.TimestampType).Unit
		return c.Value(i).ToTime(unit).UTC().Format(time.RFC3339Nano)
	case *array.Dictionary:
		return formatValue(c.Dictionary(), c.GetValueIndex(i))
	}
	return a.ValueStr(i)
}
