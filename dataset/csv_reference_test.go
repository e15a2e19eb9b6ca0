package dataset

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// readCSVReference is ReadCSV as it was before the chunked reader: one
// encoding/csv pass keeping every cell as a string, then inference and
// building column by column. The differential fuzz test and the
// benchmarks compare the new reader against it.
func readCSVReference(ctx context.Context, r io.Reader, opts CSVOptions) (*Frame, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: nil reader", ErrInvalid)
	}
	mem := allocator(opts.Allocator)
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	cr := csv.NewReader(br)
	if opts.Delimiter != 0 {
		cr.Comma = opts.Delimiter
	}
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.LazyQuotes = opts.LazyQuotes

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: no header line", ErrEmpty)
	}
	if err != nil {
		return nil, csvError(err)
	}
	names := make([]string, len(header))
	for j, h := range header {
		if !utf8.ValidString(h) {
			return nil, fmt.Errorf("%w: line 1, column %d: invalid UTF-8 in header", ErrInvalid, j+1)
		}
		names[j] = strings.Clone(h)
	}
	if err := checkNames(names); err != nil {
		return nil, err
	}
	cols := make([]*textColumn, len(names))
	index := make(map[string]int, len(names))
	for j, n := range names {
		cols[j] = &textColumn{name: n}
		index[n] = j
	}
	for name, t := range opts.Types {
		j, ok := index[name]
		if !ok {
			return nil, fmt.Errorf("%w: %q in CSVOptions.Types", ErrNoColumn, name)
		}
		if _, err := t.arrowType(); t != TypeAuto && err != nil {
			return nil, fmt.Errorf("%w (column %q)", err, name)
		}
		cols[j].typ = t
	}

	nullList := opts.NullValues
	if nullList == nil {
		nullList = DefaultNullValues
	}
	nulls := make(map[string]struct{}, len(nullList))
	for _, v := range nullList {
		nulls[strings.TrimSpace(v)] = struct{}{}
	}
	_, emptyIsNull := nulls[""]
	// nullStart[b] is set when some null marker starts with byte b; other
	// cells skip the map lookup unless they start with a space.
	var nullStart [256]bool
	for v := range nulls {
		if v != "" {
			nullStart[v[0]] = true
		}
	}
	for _, b := range []byte(" \t\n\r\v\f") {
		nullStart[b] = true
	}
	isNull := func(v string) bool {
		if v == "" {
			return emptyIsNull
		}
		if !nullStart[v[0]] {
			return false
		}
		if _, ok := nulls[v]; ok {
			return true
		}
		_, ok := nulls[strings.TrimSpace(v)]
		return ok
	}

	var lines []int
	for row := 0; opts.MaxRows <= 0 || row < opts.MaxRows; row++ {
		if row%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(cols) {
			return nil, fmt.Errorf("%w: line %d: %d fields, want %d as in the header", ErrInvalid, line, len(rec), len(cols))
		}
		lines = append(lines, line)
		for j, v := range rec {
			if !utf8.ValidString(v) {
				l, _ := cr.FieldPos(j)
				return nil, fmt.Errorf("%w: line %d, column %d (%q): invalid UTF-8", ErrInvalid, l, j+1, names[j])
			}
			if isNull(v) {
				cols[j].add("", cellNull)
				continue
			}
			cols[j].add(v, canAny)
		}
	}
	return buildFrame(ctx, mem, cols, lines, len(lines))
}
