package planner

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/automl-agent/automl/dataset"
)

// FactsOptions says what FactsOf may copy beyond aggregates. The zero value
// keeps column names and leaves every cell value out.
type FactsOptions struct {
	// RedactNames replaces column names by c1, c2, ... (in profile order)
	// and the target's by "target"; ColumnFacts.Original keeps the real
	// names in memory so that plans naming c3 map back.
	RedactNames bool `json:"redact_names,omitempty"`
	// TopValues copies each column's most frequent values (cell values).
	TopValues bool `json:"top_values,omitempty"`
	// ClassLabels copies the class labels (cell values).
	ClassLabels bool `json:"class_labels,omitempty"`
}

// FactsOf returns the aggregated, value-free facts of p for predicting
// target (the profile's own target when target is ""): per column its kind,
// missing share, cardinality and skew; the class balance as shares, largest
// first, without labels; meta-features; and warnings as code, column and a
// message built from counts only (the profile's messages can quote values).
// Cell values are copied only as opts allows. A nil p gives zero Facts.
// TargetKurt stays 0: the profile has no kurtosis.
func FactsOf(p *dataset.Profile, target string, opts FactsOptions) Facts {
	if p == nil {
		return Facts{}
	}
	if target == "" {
		target = p.Target
	}
	f := Facts{Rows: p.Rows, Target: target, Redacted: opts.RedactNames}
	if opts.RedactNames && target != "" {
		f.Target = "target"
	}
	shown := map[string]string{target: f.Target}
	i := 0
	for _, c := range p.Columns {
		if c.Name == target {
			if p.Task == dataset.TaskRegression && c.Skew != nil {
				f.TargetSkew = round3(*c.Skew)
			}
			continue
		}
		i++
		cf := ColumnFacts{Name: c.Name, Kind: kindOf(c), Missing: round3(c.MissingRatio), Cardinality: c.Distinct}
		if c.Skew != nil {
			cf.Skew = round3(*c.Skew)
		}
		if opts.RedactNames {
			cf.Name, cf.Original = fmt.Sprintf("c%d", i), c.Name
		}
		if opts.TopValues {
			cf.Top = slices.Clone(c.Top)
		}
		shown[c.Name] = cf.Name
		f.Columns = append(f.Columns, cf)
	}

	// Class balance: shares, largest first; labels only on request.
	if n := len(p.ClassCounts); n > 0 {
		f.Classes = n
		order := make([]int, n)
		total := 0
		for j, c := range p.ClassCounts {
			order[j] = j
			total += c
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(p.ClassCounts[b], p.ClassCounts[a]) })
		for _, j := range order {
			f.ClassBalance = append(f.ClassBalance, round3(float64(p.ClassCounts[j])/float64(max(total, 1))))
			if opts.ClassLabels && j < len(p.Classes) {
				f.ClassLabels = append(f.ClassLabels, p.Classes[j])
			}
		}
	}

	m := p.Meta
	f.MissingShare = round3(m.MissingRatio)
	f.MetaFeatures = map[string]float64{
		"features":             float64(m.Features),
		"numeric_features":     float64(m.NumericFeatures),
		"categorical_features": float64(m.CategoricalFeatures),
		"boolean_features":     float64(m.BooleanFeatures),
		"datetime_features":    float64(m.DatetimeFeatures),
		"text_features":        float64(m.TextFeatures),
		"identifier_features":  float64(m.IdentifierFeatures),
		"constant_features":    float64(m.ConstantFeatures),
		"max_cardinality":      float64(m.MaxCardinality),
		"duplicate_rows":       float64(m.DuplicateRows),
		"target_missing":       float64(m.TargetMissing),
	}
	if m.Rows > 0 {
		f.MetaFeatures["rows_with_missing_share"] = round3(float64(m.RowsWithMissing) / float64(m.Rows))
		f.MetaFeatures["features_per_row"] = round3(float64(m.Features) / float64(m.Rows))
	}
	if m.ImbalanceRatio > 0 {
		f.MetaFeatures["imbalance_ratio"] = round3(m.ImbalanceRatio)
	}

	for _, w := range p.Warnings {
		col, ok := shown[w.Column]
		if !ok {
			col = w.Column
			if opts.RedactNames && col != "" {
				col = "?"
			}
		}
		f.Warnings = append(f.Warnings, warningText(w.Code, col, p))
	}
	return f
}

// warningText describes a profile warning without cell values: its code,
// its column (already redacted) and, for table-wide codes, a count.
func warningText(code, col string, p *dataset.Profile) string {
	s := code
	if col != "" {
		s += ": " + col
	}
	switch code {
	case dataset.WarnImbalance:
		s += fmt.Sprintf(" (largest class %.1f times the smallest)", p.Meta.ImbalanceRatio)
	case dataset.WarnDuplicateRows:
		s += fmt.Sprintf(" (%d rows)", p.Meta.DuplicateRows)
	case dataset.WarnTargetMissing:
		s += fmt.Sprintf(" (%d rows)", p.Meta.TargetMissing)
	}
	return s
}

// kindOf maps a profile column to ColumnFacts.Kind.
func kindOf(c dataset.ColumnProfile) string {
	if c.Distinct == 0 {
		return "empty"
	}
	switch c.Kind {
	case dataset.KindNumeric, dataset.KindInteger:
		return "numeric"
	case dataset.KindIdentifier:
		return "id"
	}
	return string(c.Kind)
}

// round3 rounds x to 3 decimals (stable prompts and cache keys); NaN and
// Inf become 0 so that Facts always marshal.
func round3(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return math.Round(x*1000) / 1000
}

// Column returns the facts of the column called name, which may be its
// shown (possibly redacted) name or its real one.
func (f *Facts) Column(name string) (ColumnFacts, bool) {
	for _, c := range f.Columns {
		if c.Name == name || (c.Original != "" && c.Original == name) {
			return c, true
		}
	}
	return ColumnFacts{}, false
}

// realName maps a shown column name (c3) to the real one; unknown names
// come back unchanged.
func (f *Facts) realName(name string) string {
	for _, c := range f.Columns {
		if c.Name == name && c.Original != "" {
			return c.Original
		}
	}
	return name
}

// shownName maps a real column name to the one a planner sees.
func (f *Facts) shownName(name string) string {
	for _, c := range f.Columns {
		if c.Original == name && c.Original != "" {
			return c.Name
		}
	}
	return name
}

// realColumn reports whether name is a column's real name.
func (f *Facts) realColumn(name string) bool {
	for _, c := range f.Columns {
		if c.Original == name || (c.Original == "" && c.Name == name) {
			return true
		}
	}
	return false
}
