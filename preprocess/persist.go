package preprocess

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

const (
	formatName    = "automl.preprocess"
	formatVersion = 1
)

// fvec is a []float64 whose JSON form round-trips exactly: finite values
// are numbers (shortest representation), NaN and ±Inf are the strings
// "NaN", "+Inf", "-Inf".
type fvec []float64

// MarshalJSON implements json.Marshaler.
func (v fvec) MarshalJSON() ([]byte, error) {
	if v == nil {
		return []byte("null"), nil
	}
	b := make([]byte, 0, 2+len(v)*20)
	b = append(b, '[')
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			b = strconv.AppendQuote(b, strconv.FormatFloat(x, 'g', -1, 64))
		} else {
			b = strconv.AppendFloat(b, x, 'g', -1, 64)
		}
	}
	return append(b, ']'), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (v *fvec) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*v = nil
		return nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(fvec, len(raw))
	for i, r := range raw {
		s := string(r)
		if len(r) > 0 && r[0] == '"' {
			if err := json.Unmarshal(r, &s); err != nil {
				return err
			}
			if s != "NaN" && s != "+Inf" && s != "-Inf" {
				return fmt.Errorf("bad float %q", s)
			}
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("bad float %s", r)
		}
		out[i] = x
	}
	*v = out
	return nil
}

// MarshalBinary encodes the pipeline as versioned JSON. Every float
// round-trips exactly, so a decoded pipeline transforms bit-identically.
// The training folds are not saved: TransformTrain is unavailable on a
// decoded pipeline.
func (p *Pipeline) MarshalBinary() ([]byte, error) {
	return json.Marshal(&p.st)
}

// UnmarshalBinary decodes a pipeline written by MarshalBinary, replacing
// p's contents. Corrupt input or another format version is an error
// wrapping ErrFormat; it never panics.
func (p *Pipeline) UnmarshalBinary(data []byte) error {
	var st state
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if st.Format != formatName {
		return fmt.Errorf("%w: format %q, want %q", ErrFormat, st.Format, formatName)
	}
	if st.Version != formatVersion {
		return fmt.Errorf("%w: version %d, this build reads version %d", ErrFormat, st.Version, formatVersion)
	}
	if err := st.validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrFormat, err)
	}
	*p = Pipeline{st: st}
	p.prepare()
	return nil
}

// validate checks every length and range Transform relies on.
func (st *state) validate() error {
	if _, err := st.Options.withDefaults(); err != nil {
		return err
	}
	if st.NumClasses < 0 || st.NumClasses == 1 {
		return fmt.Errorf("num_classes = %d", st.NumClasses)
	}
	if st.Used <= 0 || st.Rows < st.Used {
		return fmt.Errorf("used = %d, rows = %d", st.Used, st.Rows)
	}
	nte := 1
	if st.NumClasses > 0 {
		nte = len(st.TEClasses)
		if nte == 0 {
			return fmt.Errorf("no target-encoding class")
		}
		for _, k := range st.TEClasses {
			if k < 0 || k >= st.NumClasses {
				return fmt.Errorf("te class %d out of range", k)
			}
		}
	}
	if len(st.Prior) != nte {
		return fmt.Errorf("%d priors, want %d", len(st.Prior), nte)
	}
	names := map[string]bool{}
	for i, c := range st.Columns {
		if c == nil {
			return fmt.Errorf("column %d is null", i)
		}
		if names[c.Name] {
			return fmt.Errorf("column %q twice", c.Name)
		}
		names[c.Name] = true
		if err := c.validate(nte); err != nil {
			return fmt.Errorf("column %q: %v", c.Name, err)
		}
	}
	return nil
}

func (c *column) validate(nte int) error {
	stats := func(n int, median bool) error {
		if len(c.Mean) != n || len(c.Scale) != n || (median && len(c.Median) != n) {
			return fmt.Errorf("statistics for %d outputs, want %d", len(c.Mean), n)
		}
		return nil
	}
	switch c.Kind {
	case KindDrop:
		return nil
	case KindNumeric:
		return stats(1, true)
	case KindDatetime:
		if len(c.Parts) == 0 || len(c.Parts) > len(allParts()) {
			return fmt.Errorf("%d datetime parts", len(c.Parts))
		}
		for _, pt := range c.Parts {
			switch pt {
			case partYear, partMonth, partDay, partWeekday, partHour, partUnix:
			default:
				return fmt.Errorf("unknown datetime part %q", pt)
			}
		}
		return stats(len(c.Parts), true)
	case KindText:
		if c.Buckets < 1 || c.Buckets > maxBuckets {
			return fmt.Errorf("%d text buckets", c.Buckets)
		}
		return stats(c.Buckets+2, true)
	case KindCategorical:
		L := len(c.Levels)
		if len(c.Counts) != L+2 {
			return fmt.Errorf("%d counts for %d levels", len(c.Counts), L)
		}
		for _, n := range c.Counts {
			if n < 0 {
				return fmt.Errorf("negative count")
			}
		}
		if c.Codes && L+1 > maxCodes {
			return fmt.Errorf("%d levels do not fit codes", L)
		}
		if !c.OneHot || !c.Codes {
			if len(c.TE) != L+2 {
				return fmt.Errorf("%d target encodings for %d levels", len(c.TE), L)
			}
			for _, te := range c.TE {
				if len(te) != nte {
					return fmt.Errorf("%d target-encoding values, want %d", len(te), nte)
				}
			}
			return stats(1+nte, false)
		}
		return nil
	}
	return fmt.Errorf("unknown kind %q", c.Kind)
}
