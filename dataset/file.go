package dataset

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ReadFile reads the table at path, choosing the reader by extension
// (case-insensitive): .csv and .txt (ReadCSV, ','), .tsv (ReadCSV, tab),
// .parquet and .pq (ReadParquet), .arrow, .feather and .ipc (ReadIPC),
// .jsonl, .ndjson and .json (ReadJSONL). A further .gz suffix (such as
// data.csv.gz) is decompressed with gzip first. At most one ReadOptions is
// used; none means the zero value. The caller must Release the Frame.
//
// An unknown extension is an error wrapping ErrFormat; file system errors
// are returned wrapped with the path; reader errors as the readers return
// them, prefixed with the path; a gzip stream that is not gzip or is cut
// short gives an error wrapping ErrInvalid. Uncompressed files are read
// through the *os.File, so ReadCSV reads chunks again from the file
// instead of keeping its text, and ReadParquet and ReadIPC read in place.
func ReadFile(ctx context.Context, path string, opts ...ReadOptions) (*Frame, error) {
	var o ReadOptions
	if len(opts) > 1 {
		return nil, fmt.Errorf("%w: ReadFile takes at most one ReadOptions, got %d", ErrInvalid, len(opts))
	}
	if len(opts) == 1 {
		o = opts[0]
	}
	lower := strings.ToLower(path)
	gz := strings.HasSuffix(lower, ".gz")
	lower = strings.TrimSuffix(lower, ".gz")
	ext := filepath.Ext(lower)
	var read func(io.Reader) (*Frame, error)
	switch ext {
	case ".csv", ".txt", ".tsv":
		co := o.csvOptions()
		if co.Delimiter == 0 && ext == ".tsv" {
			co.Delimiter = '\t'
		}
		read = func(r io.Reader) (*Frame, error) { return ReadCSV(ctx, r, co) }
	case ".parquet", ".pq":
		read = func(r io.Reader) (*Frame, error) {
			if rs, ok := r.(*os.File); ok {
				return ReadParquet(ctx, rs, o)
			}
			data, err := io.ReadAll(r)
			if err != nil {
				return nil, err
			}
			return ReadParquet(ctx, bytes.NewReader(data), o)
		}
	case ".arrow", ".feather", ".ipc":
		read = func(r io.Reader) (*Frame, error) { return ReadIPC(ctx, r, o) }
	case ".jsonl", ".ndjson", ".json":
		read = func(r io.Reader) (*Frame, error) { return ReadJSONL(ctx, r, o) }
	default:
		return nil, fmt.Errorf("%w: %q (want .csv, .tsv, .txt, .parquet, .pq, .arrow, .feather, .ipc, .jsonl, .ndjson or .json, optionally .gz)", ErrFormat, filepath.Base(path))
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	if !gz {
		f, err := read(fh)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return f, nil
	}
	zr, err := gzip.NewReader(fh)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: gzip: %w", ErrInvalid, path, err)
	}
	defer zr.Close()
	rr := &readErrs{r: zr}
	f, err := read(rr)
	if err != nil {
		if rr.err != nil && !errors.Is(err, ErrInvalid) {
			// A gzip error (such as a truncated stream) that the reader
			// passed on as it was.
			return nil, fmt.Errorf("%w: %s: %w", ErrInvalid, path, err)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// readErrs remembers the first error other than io.EOF from r.
type readErrs struct {
	r   io.Reader
	err error
}

func (e *readErrs) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}
