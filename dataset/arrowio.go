package dataset

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ipcMagic opens (and closes) an Arrow IPC file; a stream has no magic.
var ipcMagic = []byte("ARROW1")

// ReadIPC reads Arrow IPC data, in either the file format (which starts
// with the "ARROW1" magic; read whole into memory unless r is an
// io.ReaderAt and io.Seeker positioned at offset 0) or the stream format, and concatenates its
// record batches into one Frame; the caller must Release the Frame.
// Errors wrap ErrInvalid for malformed input and ErrEmpty for empty input.
func ReadIPC(ctx context.Context, r io.Reader, opts ReadOptions) (f *Frame, err error) {
	if r == nil {
		return nil, fmt.Errorf("%w: nil reader", ErrInvalid)
	}
	defer recoverInto(&err, "arrow ipc")
	mem := allocator(opts.Allocator)
	// A ReaderAt+Seeker positioned at 0 is read in place; anything else is
	// buffered.
	rs, seekable := r.(ipc.ReadAtSeeker)
	if seekable {
		pos, err := rs.Seek(0, io.SeekCurrent)
		seekable = err == nil && pos == 0
	}
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(len(ipcMagic))
	if len(head) == 0 {
		return nil, fmt.Errorf("%w: no Arrow IPC data", ErrEmpty)
	}
	if bytes.Equal(head, ipcMagic) {
		var ras ipc.ReadAtSeeker
		if seekable {
			// br consumed from r; the file reader seeks and reads at
			// absolute offsets, so rewind.
			if _, err := rs.Seek(0, io.SeekStart); err == nil {
				ras = rs
			}
		}
		if ras == nil {
			data, err := io.ReadAll(br)
			if err != nil {
				return nil, err
			}
			ras = bytes.NewReader(data)
		}
		return readIPCFile(ctx, mem, ras, opts.MaxRows)
	}
	rd, err := ipc.NewReader(br, ipc.WithAllocator(mem))
	if err != nil {
		return nil, fmt.Errorf("%w: arrow ipc stream: %w", ErrInvalid, err)
	}
	defer rd.Release()
	var recs []arrow.RecordBatch
	defer func() {
		for _, rec := range recs {
			rec.Release()
		}
	}()
	rows := 0
	for rd.Next() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rec := rd.RecordBatch()
		rec.Retain()
		recs = append(recs, rec)
		rows += int(rec.NumRows())
		if opts.MaxRows > 0 && rows >= opts.MaxRows {
			break
		}
	}
	if err := rd.Err(); err != nil && err != io.EOF {
		return nil, fmt.Errorf("%w: arrow ipc stream: %w", ErrInvalid, err)
	}
	return concatRecords(ctx, mem, rd.Schema(), recs, opts.MaxRows)
}

func readIPCFile(ctx context.Context, mem memory.Allocator, r ipc.ReadAtSeeker, maxRows int) (*Frame, error) {
	fr, err := ipc.NewFileReader(r, ipc.WithAllocator(mem))
	if err != nil {
		return nil, fmt.Errorf("%w: arrow ipc file: %w", ErrInvalid, err)
	}
	defer fr.Close()
	var recs []arrow.RecordBatch
	defer func() {
		for _, rec := range recs {
			rec.Release()
		}
	}()
	rows := 0
	for i := 0; i < fr.NumRecords(); i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rec, err := fr.RecordBatchAt(i)
		if err != nil {
			return nil, fmt.Errorf("%w: arrow ipc file: batch %d: %w", ErrInvalid, i, err)
		}
		recs = append(recs, rec)
		rows += int(rec.NumRows())
		if maxRows > 0 && rows >= maxRows {
			break
		}
	}
	return concatRecords(ctx, mem, fr.Schema(), recs, maxRows)
}

// concatRecords concatenates record batches (borrowed) into a new Frame.
func concatRecords(ctx context.Context, mem memory.Allocator, schema *arrow.Schema, recs []arrow.RecordBatch, maxRows int) (*Frame, error) {
	chunks := make([][]arrow.Array, schema.NumFields())
	for _, rec := range recs {
		for j := range chunks {
			chunks[j] = append(chunks[j], rec.Column(j))
		}
	}
	return concatColumns(ctx, mem, schema, chunks, maxRows)
}

// concatColumns concatenates each column's chunks (borrowed), truncates to
// maxRows (0 = all) and returns a new Frame the caller must Release.
func concatColumns(ctx context.Context, mem memory.Allocator, schema *arrow.Schema, chunks [][]arrow.Array, maxRows int) (*Frame, error) {
	arrs := make([]arrow.Array, 0, len(chunks))
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	nrows := -1
	for j, cs := range chunks {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var a arrow.Array
		switch len(cs) {
		case 0:
			a = array.MakeArrayOfNull(mem, schema.Field(j).Type, 0)
		case 1:
			cs[0].Retain()
			a = cs[0]
		default:
			var err error
			a, err = array.Concatenate(cs, mem)
			if err != nil {
				return nil, fmt.Errorf("%w: column %q: %w", ErrInvalid, schema.Field(j).Name, err)
			}
		}
		if maxRows > 0 && a.Len() > maxRows {
			s := array.NewSlice(a, 0, int64(maxRows))
			a.Release()
			a = s
		}
		if nrows >= 0 && a.Len() != nrows {
			a.Release()
			return nil, fmt.Errorf("%w: column %q has %d rows, want %d", ErrInvalid, schema.Field(j).Name, a.Len(), nrows)
		}
		nrows = a.Len()
		arrs = append(arrs, a)
	}
	if nrows < 0 {
		return nil, fmt.Errorf("%w: no columns", ErrEmpty)
	}
	names := make([]string, len(arrs))
	for j := range arrs {
		names[j] = schema.Field(j).Name
	}
	return frameFromArrays(mem, names, arrs, nrows)
}

// recoverInto turns a panic from a third-party decoder into an error
// wrapping ErrInvalid, so no panic escapes a reader.
func recoverInto(err *error, what string) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("%w: %s: decoder panic: %v", ErrInvalid, what, p)
	}
}
