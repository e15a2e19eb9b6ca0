// Package dataset reads tables into Arrow-backed Frames and profiles them
// for learning: column kinds, statistics, the task a target defines,
// meta-features and warnings.
//
// # Reading
//
// ReadFile picks a reader by extension; each reader can also be called on
// an io.Reader:
//
//	f, err := dataset.ReadFile(ctx, "train.csv") // .csv .tsv .txt .parquet .pq .arrow .feather .ipc .jsonl .ndjson .json, optionally .gz
//	if err != nil { ... }
//	defer f.Release()
//
// ReadCSV follows encoding/csv's rules (quotes, CRLF, a UTF-8 BOM) and
// infers each column's type from all its cells: int64, float64, bool,
// timestamp or string (dictionary encoded when a long column has few
// distinct values). It cuts the input into chunks of whole records and
// parses them on all cores straight into typed columns, with the errors
// of a sequential pass. CSVOptions sets the delimiter, null markers and
// per-column type overrides. ReadJSONL infers types the same way from
// JSON lines. ReadParquet decodes flat Parquet files column by column
// with parquet/file (not pqarrow, which would pull Arrow Flight and gRPC
// into every program), and ReadIPC concatenates an Arrow IPC file's or
// stream's record batches column by column; both keep the file's Arrow
// types (see ReadParquet for its mapping). Bad input never panics:
// errors wrap ErrInvalid, ErrEmpty, ErrNoColumn or ErrFormat and name the
// line and column at fault. WriteCSV writes a Frame back as CSV.
//
// Reading speed and memory: BenchmarkReadCSV (against the old reader and
// a bare encoding/csv pass) and bench/read (big files; peak RSS) measure
// them.
//
// # Building and slicing
//
// NewBuilder assembles a Frame from Go slices (NaN floats and a false
// valid flag are nulls). Frame.Select takes rows by index, for train and
// test splits and bootstrap samples; Frame.Drop removes columns. Floats and
// Strings convert a column to Go slices.
//
// # Profiling
//
// Analyze (or AnalyzeOptions.Analyze) returns a Profile: per column its
// Arrow type, Kind (see InferKind for the rules), missing and distinct
// counts, numeric moments and most frequent values; the Task (binary,
// multiclass or regression; see Analyze for the inference rules) with its
// sorted Classes; MetaFeatures for planners; and Warnings such as
// identifier, constant, high_cardinality, leakage and duplicate_rows.
// Profiles marshal to JSON without NaN; their String table is for people.
//
// # Ownership
//
// Every function returning a *Frame hands the caller one reference: call
// Release when done (Retain to share it). Arrays from Frame.Column and
// Frame.Record are borrowed until the Frame's last Release. Readers and
// builders allocate from the allocator in their options (nil means
// memory.DefaultAllocator); frames derived by Select use the allocator of
// the frame they came from. Frames are immutable and safe for concurrent
// reads; a Builder is not safe for concurrent use. A Profile is plain data
// holding no Arrow memory.
package dataset
