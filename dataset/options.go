package dataset

import (
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ColumnType forces the type of a column read from text (CSV, JSON lines),
// overriding inference. The zero value "" means "infer".
type ColumnType string

// Column types a reader can be told to use.
const (
	TypeAuto      ColumnType = ""          // infer from the values
	TypeInt64     ColumnType = "int64"     // 64-bit signed integers
	TypeFloat64   ColumnType = "float64"   // 64-bit floats
	TypeBool      ColumnType = "bool"      // true/false, TRUE/FALSE, True/False
	TypeTimestamp ColumnType = "timestamp" // RFC 3339, "2006-01-02" or "2006-01-02 15:04:05", stored as timestamp[us, UTC]
	TypeString    ColumnType = "string"    // UTF-8 text, kept as written
)

// DefaultNullValues are the cells read as null when CSVOptions.NullValues is
// nil. Cells are compared after trimming surrounding spaces.
var DefaultNullValues = []string{"", "NA", "N/A", "NaN", "null", "NULL", "None", "nan", "?"}

// CSVOptions configures ReadCSV. The zero value reads a comma-separated file
// with a header row, the default null markers and inferred types.
type CSVOptions struct {
	// Delimiter separates fields; 0 means ','.
	Delimiter rune `json:"delimiter,omitempty"`
	// NullValues are the cells read as null (compared after trimming
	// spaces); nil means DefaultNullValues. An empty non-nil slice means no
	// cell is null.
	NullValues []string `json:"null_values,omitempty"`
	// Types overrides inference per column name. A cell that does not parse
	// as the forced type is an error naming its line and column. A name that
	// is not in the header is an error wrapping ErrNoColumn.
	Types map[string]ColumnType `json:"types,omitempty"`
	// LazyQuotes accepts a quote in an unquoted field and a non-doubled
	// quote in a quoted field (encoding/csv LazyQuotes). False is strict.
	LazyQuotes bool `json:"lazy_quotes,omitempty"`
	// Allocator allocates the frame's buffers; nil means memory.DefaultAllocator.
	Allocator memory.Allocator `json:"-"`
	// MaxRows stops after this many data rows; 0 means all.
	MaxRows int `json:"max_rows,omitempty"`
}

// ReadOptions configures ReadFile, ReadParquet, ReadIPC and ReadJSONL. The
// zero value works: default allocator, all rows, inferred types.
type ReadOptions struct {
	// Allocator allocates the frame's buffers; nil means memory.DefaultAllocator.
	Allocator memory.Allocator `json:"-"`
	// MaxRows stops after this many rows; 0 means all.
	MaxRows int `json:"max_rows,omitempty"`
	// Delimiter separates CSV fields; 0 means ',' (and '\t' for a .tsv file
	// read by ReadFile). Only text formats use it.
	Delimiter rune `json:"delimiter,omitempty"`
	// NullValues are the text cells read as null in CSV files; nil means
	// DefaultNullValues. JSON lines use JSON null and missing keys instead.
	NullValues []string `json:"null_values,omitempty"`
	// Types overrides type inference per column in CSV and JSON lines.
	Types map[string]ColumnType `json:"types,omitempty"`
}

func allocator(m memory.Allocator) memory.Allocator {
	if m == nil {
		return memory.DefaultAllocator
	}
	return m
}

// csvOptions converts o into CSV options for ReadFile.
func (o ReadOptions) csvOptions() CSVOptions {
	return CSVOptions{
		Delimiter:  o.Delimiter,
		NullValues: o.NullValues,
		Types:      o.Types,
		Allocator:  o.Allocator,
		MaxRows:    o.MaxRows,
	}
}
