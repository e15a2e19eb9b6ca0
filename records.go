package automl

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/automl-agent/automl/dataset"
)

// PredictRecords predicts rows given as Go maps from column name to value,
// for servers that receive one request at a time. Values may be numbers
// (any Go integer or float type), bool, string, time.Time or nil
// (missing); a column absent from a record is missing there. Columns the
// predictor does not use are ignored. A value of another type is an error
// naming its column and record.
func (p *Predictor) PredictRecords(ctx context.Context, records []map[string]any) (*Predictions, error) {
	if len(records) == 0 {
		return nil, fmt.Errorf("%w: no records", ErrPredict)
	}
	b := dataset.NewBuilder(nil)
	for _, col := range p.columns {
		if err := addRecordColumn(b, col, records); err != nil {
			return nil, err
		}
	}
	f, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPredict, err)
	}
	defer f.Release()
	return p.Predict(ctx, f)
}

// addRecordColumn adds column col of the records to b, typed by its
// non-nil values: all numbers make a float column, all bools a bool
// column, all times a time column, anything else strings.
func addRecordColumn(b *dataset.Builder, col string, records []map[string]any) error {
	n := len(records)
	nums := make([]float64, n)
	strs := make([]string, n)
	bools := make([]bool, n)
	times := make([]time.Time, n)
	valid := make([]bool, n)
	var isNum, isBool, isTime, isStr bool
	for i, rec := range records {
		v, ok := rec[col]
		if !ok || v == nil {
			nums[i] = math.NaN()
			continue
		}
		valid[i] = true
		switch x := v.(type) {
		case float64:
			nums[i], strs[i], isNum = x, strconv.FormatFloat(x, 'g', -1, 64), true
		case float32:
			nums[i], strs[i], isNum = float64(x), strconv.FormatFloat(float64(x), 'g', -1, 32), true
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
			f, _ := strconv.ParseFloat(fmt.Sprint(x), 64)
			nums[i], strs[i], isNum = f, fmt.Sprint(x), true
		case bool:
			bools[i], strs[i], isBool = x, strconv.FormatBool(x), true
		case string:
			strs[i], isStr = x, true
		case time.Time:
			times[i], strs[i], isTime = x, x.UTC().Format(time.RFC3339Nano), true
		default:
			return fmt.Errorf("%w: record %d, column %q: unsupported value %v (%T)", ErrPredict, i, col, v, v)
		}
	}
	switch {
	case isNum && !isBool && !isStr && !isTime:
		b.Float64(col, nums)
	case isBool && !isNum && !isStr && !isTime:
		b.Bool(col, bools, valid)
	case isTime && !isNum && !isStr && !isBool:
		b.Time(col, times, valid)
	default: // strings, mixed kinds, or all missing
		b.String(col, strs, valid)
	}
	return nil
}
