package models

// MissingBin is the bin code of a missing (NaN) value.
const MissingBin = 255

// Binned is a feature matrix quantized for histogram tree learners: up to
// 255 value bins per feature plus MissingBin. It is computed once per
// dataset and shared, read-only, by every tree model and trial.
type Binned struct {
	// N is the number of rows.
	N int
	// Codes holds the bin codes column-major: Codes[j][i] is the bin of
	// row i in feature j.
	Codes [][]uint8
	// Uppers holds, per numeric feature, the upper edge of each bin: a
	// value v falls in the first bin b with v <= Uppers[j][b]. For a
	// categorical feature it is nil and the code is the category.
	Uppers [][]float64
}

// Subset returns the rows listed in rows, copied; edges are shared.
func (b *Binned) Subset(rows []int) *Binned {
	s := &Binned{N: len(rows), Uppers: b.Uppers, Codes: make([][]uint8, len(b.Codes))}
	for j, c := range b.Codes {
		col := make([]uint8, len(rows))
		for k, i := range rows {
			col[k] = c[i]
		}
		s.Codes[j] = col
	}
	return s
}
