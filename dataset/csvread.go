package dataset

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ReadCSV reads a delimited text table with a header row from r and returns
// it as a Frame; the caller must Release the Frame.
//
// Parsing follows encoding/csv: quoted fields (with embedded delimiters,
// quotes and newlines), CRLF line endings and a leading UTF-8 byte order
// mark are handled, and empty lines are skipped. Cells equal to one of
// opts.NullValues (after trimming spaces) are null. Each column's type is
// inferred from all its non-null cells, narrowest first: int64, float64,
// bool (true/false, TRUE/FALSE, True/False), timestamp (RFC 3339,
// "2006-01-02", "2006-01-02 15:04:05"; stored as timestamp[us, UTC],
// zone-less times taken as UTC), else string. A float cell "NaN" (when not
// already a null marker) is stored as null. opts.Types forces a column's
// type instead. A string column of at least 1,024 rows with at most one
// distinct value per 4 non-null cells is stored as
// dictionary<values=utf8, indices=int32>; other string columns as utf8.
//
// The input is cut into chunks of whole records (a cut falls only after
// a newline outside quoted fields; with LazyQuotes, everything after the
// first quote is one chunk) that GOMAXPROCS goroutines parse at once,
// straight into typed values; when opts.MaxRows is set, chunks are parsed
// in order on the calling goroutine. A chunk of a column that turns out
// to be string after it was parsed as another type is parsed again. When
// r is also an io.ReaderAt and io.Seeker (an *os.File, a bytes.Reader),
// the text of a chunk is dropped once parsed and read again through
// ReadAt if needed; otherwise it is kept until the frame is built. Peak
// memory is then about twice the typed columns, plus the text (measured:
// 2.0-2.25x the file for 1,000,000 x 21 floats; see bench/read).
//
// Errors wrap ErrEmpty for input without a header, ErrNoColumn for a Types
// key that is not a column, and ErrInvalid, naming the line and column, for
// a malformed quote, a row with the wrong number of fields, invalid UTF-8,
// an empty or duplicate header name, or a cell that does not parse as its
// forced type (the line given is the one the record starts on; columns
// are counted from 1). When the input has several faults, the first
// record fault in the file is reported, else the forced-type fault of the
// leftmost column. A read error from r wraps ErrInvalid. A header without
// data rows gives a Frame of 0 rows and string columns. ReadCSV checks ctx
// while it reads and never panics.
func ReadCSV(ctx context.Context, r io.Reader, opts CSVOptions) (f *Frame, err error) {
	if r == nil {
		return nil, fmt.Errorf("%w: nil reader", ErrInvalid)
	}
	defer recoverInto(&err, "csv")
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	mem := allocator(opts.Allocator)
	comma := opts.Delimiter
	if comma == 0 {
		comma = ','
	}
	src := source(r) // before reading moves r
	cut := &cutter{r: r, lazy: opts.LazyQuotes}
	names, rest, err := readHeader(cut, comma, opts.LazyQuotes)
	if err != nil {
		return nil, err
	}
	kinds := make([]cellKind, len(names))
	index := make(map[string]int, len(names))
	for j, n := range names {
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
		kinds[j] = kindOf(t)
	}
	p := &csvParse{
		source: src,
		ctx:    ctx,
		shape:  &csvShape{comma: comma, lazy: opts.LazyQuotes, names: names},
		nulls:  newNullSet(opts.NullValues),
		forced: kinds,
	}
	p.numbersFast = comma < utf8.RuneSelf
	for v := range p.nulls.set {
		if _, end := scanNumber(v, 0); end == len(v) {
			p.numbersFast = false
		}
	}
	if opts.MaxRows > 0 {
		err = p.sequential(cut, rest, opts.MaxRows)
	} else {
		err = p.parallel(cut, rest, runtime.GOMAXPROCS(0))
	}
	if err != nil {
		return nil, err
	}
	return p.build(mem)
}

// readHeader reads the header record from the first chunk(s) and returns
// the column names and the chunk of records after it.
func readHeader(cut *cutter, comma rune, lazy bool) ([]string, *chunk, error) {
	first := cut.next(headChunk)
	for {
		if cut.err != nil {
			return nil, nil, csvError(cut.err)
		}
		if first == nil {
			return nil, nil, fmt.Errorf("%w: no header line", ErrEmpty)
		}
		cr := csv.NewReader(strings.NewReader(first.text))
		cr.Comma = comma
		cr.LazyQuotes = lazy
		cr.FieldsPerRecord = -1
		header, err := cr.Read()
		if errors.Is(err, io.EOF) {
			// Only empty lines so far: read on.
			more := cut.next(chunkTarget)
			if more == nil {
				first = nil
				continue
			}
			first = &chunk{text: first.text + more.text, off: first.off, size: first.size + more.size, lineBase: first.lineBase, last: more.last}
			continue
		}
		if err != nil {
			return nil, nil, csvError(err)
		}
		names := make([]string, len(header))
		for j, h := range header {
			if !utf8.ValidString(h) {
				return nil, nil, fmt.Errorf("%w: line 1, column %d: invalid UTF-8 in header", ErrInvalid, j+1)
			}
			names[j] = strings.Clone(h)
		}
		if err := checkNames(names); err != nil {
			return nil, nil, err
		}
		off := int(cr.InputOffset())
		rest := &chunk{
			text:     first.text[off:],
			off:      first.off + int64(off),
			size:     len(first.text) - off,
			lineBase: first.lineBase + strings.Count(first.text[:off], "\n"),
			last:     first.last,
		}
		return names, rest, nil
	}
}

// csvParse holds the state of one ReadCSV call after the header.
type csvParse struct {
	// source, when not nil, reads the input again at an offset, so chunk
	// text is dropped once parsed and read again only if needed.
	source func(p []byte, off int64) error
	ctx    context.Context
	shape  *csvShape
	nulls  *nullSet
	forced []cellKind // per column; kindNone means infer
	// numbersFast is set when no null marker reads as a plain decimal, so
	// that cellLine may parse numbers without asking the null markers.
	numbersFast bool
	parts       []*chunkResult
	ioErr       error
}

// chunkResult is one chunk parsed into columns.
type chunkResult struct {
	ch   *chunk
	cols []*colChunk
	rows int   // records parsed without fault
	err  error // the first record fault, if any
}

// parse parses ch into columns, at most limit records (-1: all).
func (p *csvParse) parse(ch *chunk, limit int) *chunkResult {
	res := &chunkResult{ch: ch, cols: make([]*colChunk, len(p.forced))}
	hint := strings.Count(ch.text, "\n") + 1
	if limit >= 0 {
		hint = min(hint, limit)
	}
	for j, k := range p.forced {
		res.cols[j] = &colChunk{kind: k, forced: k != kindNone, hint: hint}
		if k != kindNone {
			res.cols[j].kind = kindNone
			res.cols[j].startKind(k)
		}
	}
	cols, ns := res.cols, p.nulls
	var fast lineFunc
	if p.shape.comma < utf8.RuneSelf {
		fast = p.cellLine(cols)
	}
	res.rows, res.err = parseChunk(ch, p.shape, limit, fast, func(fields []string, line int) error {
		for j, v := range fields {
			if ns.is(v) {
				cols[j].null()
			} else {
				cols[j].add(v, line)
			}
		}
		if cols[0].n%ctxEvery == 0 {
			return p.ctx.Err()
		}
		return nil
	})
	if p.source != nil {
		ch.text = "" // read again if needed (string columns keep theirs)
	}
	return res
}

// source returns a function that reads r again at an offset from where
// r stands now, or nil when r is not an io.ReaderAt and io.Seeker (as an
// *os.File or a bytes.Reader is).
func source(r io.Reader) func(p []byte, off int64) error {
	ra, ok := r.(io.ReaderAt)
	sk, ok2 := r.(io.Seeker)
	if !ok || !ok2 {
		return nil
	}
	base, err := sk.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil
	}
	return func(p []byte, off int64) error {
		_, err := ra.ReadAt(p, base+off)
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
}

// cellLine returns a lineFunc that takes every line holding one whole,
// valid record with the right number of fields, in one pass over it. A
// cell of a column that holds float64 or int64 is parsed where it stands
// when it is a plain decimal (scanNumber; the delimiter is checked after
// it) and appended at once; any other cell (quoted or not) is cut out and
// kept aside, and handed to the general per-cell handling (null marker,
// then colChunk.add) only once the whole line has proved to be a record
// with the right number of fields. Otherwise the numbers appended are
// taken back and the line is left to the general path, which reports
// what is wrong with it.
func (p *csvParse) cellLine(cols []*colChunk) lineFunc {
	type cell struct {
		j int
		v string
	}
	comma := byte(p.shape.comma)
	ns, numbers := p.nulls, p.numbersFast
	var pend []cell // cells for the general handling, by column
	// undo takes back the numbers appended to columns before j: those
	// without a cell in pend.
	undo := func(j int) (bool, error) {
		k := 0
		for jj, c := range cols[:j] {
			if k < len(pend) && pend[k].j == jj {
				k++
				continue
			}
			if c.kind == kindFloat {
				c.fls = c.fls[:len(c.fls)-1]
			} else {
				c.ints = c.ints[:len(c.ints)-1]
			}
			c.n--
		}
		return false, nil
	}
	return func(l string, line int) (bool, error) {
		pend = pend[:0]
		q := strings.IndexByte(l, '"') // the next quote at or after i, or -1
		i, end := 0, false             // end: the last cell ran to the end of l
		j := 0
		for ; j < len(cols) && !end; j++ {
			c := cols[j]
			if numbers && (c.kind == kindFloat || c.kind == kindInt) && i != q {
				if num, e := scanNumber(l, i); e >= 0 && (e == len(l) || l[e] == comma) {
					ok := false
					if c.kind == kindFloat {
						var x float64
						if x, ok = num.float(); ok {
							c.fls = append(c.fls, x)
						}
					} else {
						var x int64
						if x, ok = num.int(); ok {
							c.ints = append(c.ints, x)
						}
					}
					if ok {
						c.n++
						end, i = e == len(l), e+1
						continue
					}
				}
			}
			var v string
			next := 0
			if i == q {
				var ok bool
				if v, next, ok = quotedCell(l, i, comma); !ok {
					return undo(j)
				}
				if q = strings.IndexByte(l[next:], '"'); q >= 0 {
					q += next
				}
			} else {
				next = len(l)
				if e := strings.IndexByte(l[i:], comma); e >= 0 {
					next = i + e
				}
				if q >= 0 && q < next {
					return undo(j) // a quote inside an unquoted field
				}
				v = l[i:next]
			}
			pend = append(pend, cell{j, v})
			end, i = next == len(l), next+1
		}
		if j != len(cols) || !end {
			return undo(j) // too few or too many fields
		}
		for _, pc := range pend {
			if ns.is(pc.v) {
				cols[pc.j].null()
			} else {
				cols[pc.j].add(pc.v, line)
			}
		}
		if cols[0].n%ctxEvery == 0 {
			return true, p.ctx.Err()
		}
		return true, nil
	}
}

// sequential parses chunks in order on the calling goroutine until
// maxRows records are read.
func (p *csvParse) sequential(cut *cutter, ch *chunk, maxRows int) error {
	rows := 0
	for ch != nil && rows < maxRows {
		if err := p.ctx.Err(); err != nil {
			return err
		}
		res := p.parse(ch, maxRows-rows)
		p.parts = append(p.parts, res)
		if res.err != nil {
			return nil
		}
		rows += res.rows
		if rows < maxRows {
			ch = cut.next(chunkTarget)
		}
	}
	p.ioErr = cut.err
	return p.ctx.Err()
}

// parallel parses chunks on workers goroutines while the calling
// goroutine reads and cuts the input. Reading stops after a chunk with a
// fault, as the chunks after it cannot matter.
func (p *csvParse) parallel(cut *cutter, first *chunk, workers int) error {
	type job struct {
		i  int
		ch *chunk
	}
	jobs := make(chan job, workers)
	var (
		mu      sync.Mutex
		results []*chunkResult
		faultAt atomic.Int64 // index of the first chunk with a fault
		wg      sync.WaitGroup
		panicV  atomic.Value
	)
	faultAt.Store(math.MaxInt64)
	work := func() {
		defer wg.Done()
		defer func() {
			if v := recover(); v != nil {
				panicV.CompareAndSwap(nil, fmt.Sprint(v))
				for range jobs { // drain so the reader never blocks
				}
			}
		}()
		for j := range jobs {
			if int64(j.i) > faultAt.Load() || p.ctx.Err() != nil {
				continue
			}
			res := p.parse(j.ch, -1)
			if res.err != nil {
				for {
					cur := faultAt.Load()
					if int64(j.i) >= cur || faultAt.CompareAndSwap(cur, int64(j.i)) {
						break
					}
				}
			}
			mu.Lock()
			results[j.i] = res
			mu.Unlock()
		}
	}
	for range max(workers, 1) {
		wg.Add(1)
		go work()
	}
	ch := first
	for i := 0; ch != nil; i++ {
		if p.ctx.Err() != nil || int64(i) > faultAt.Load() {
			break
		}
		mu.Lock()
		results = append(results, nil)
		mu.Unlock()
		jobs <- job{i, ch}
		if ch.last {
			break
		}
		ch = cut.next(chunkTarget)
	}
	close(jobs)
	wg.Wait()
	if v := panicV.Load(); v != nil {
		return fmt.Errorf("%w: csv: parser panic: %v", ErrInvalid, v)
	}
	if err := p.ctx.Err(); err != nil {
		return err
	}
	p.ioErr = cut.err
	for _, res := range results {
		if res == nil { // skipped after a fault
			break
		}
		p.parts = append(p.parts, res)
		if res.err != nil {
			break
		}
	}
	return nil
}

// build checks the parsed chunks for faults, settles each column's type,
// reads again the text of chunks whose cells turned out to be strings,
// and builds the Frame.
func (p *csvParse) build(mem memory.Allocator) (*Frame, error) {
	for _, res := range p.parts {
		if res.err != nil {
			return nil, res.err
		}
	}
	if p.ioErr != nil {
		return nil, csvError(p.ioErr)
	}
	names := p.shape.names
	final := make([]cellKind, len(names))
	for j := range names {
		if p.forced[j] != kindNone {
			final[j] = p.forced[j]
			for _, res := range p.parts {
				if b := res.cols[j].bad; b != nil {
					return nil, badCellError(b.line, j, names[j], b.value, p.forced[j].columnType())
				}
			}
			continue
		}
		k := kindNone
		for _, res := range p.parts {
			k = join(k, res.cols[j].kind)
		}
		if k == kindNone || k == kindText {
			k = kindString
		}
		final[j] = k
	}
	if err := p.reread(final); err != nil {
		return nil, err
	}
	nrows := 0
	for _, res := range p.parts {
		nrows += res.rows
		res.ch = nil // the text is no longer needed
	}
	arrs := make([]arrow.Array, 0, len(names))
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	parts := make([]*colChunk, len(p.parts))
	for j := range names {
		for i, res := range p.parts {
			parts[i] = res.cols[j]
			res.cols[j] = nil
		}
		a, err := buildColumn(p.ctx, mem, final[j], parts)
		if err != nil {
			return nil, err
		}
		arrs = append(arrs, a)
	}
	return frameFromArrays(mem, names, arrs, nrows)
}

// reread parses again, in parallel, the chunks holding cells of string
// columns that were kept as another kind (or not kept), collecting their
// text.
func (p *csvParse) reread(final []cellKind) error {
	var todo []*chunkResult
	for _, res := range p.parts {
		for j, c := range res.cols {
			if final[j] == kindString && c.kind != kindString && c.kind != kindNone {
				todo = append(todo, res)
				break
			}
		}
	}
	errs := make([]error, len(todo))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(todo) {
					return
				}
				errs[i] = p.rereadChunk(todo[i], final)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// rereadChunk collects the text of res's cells in string columns that
// were not kept as text.
func (p *csvParse) rereadChunk(res *chunkResult, final []cellKind) (err error) {
	defer recoverInto(&err, "csv")
	if res.ch.text == "" && res.ch.size > 0 {
		buf := make([]byte, res.ch.size)
		if err := p.source(buf, res.ch.off); err != nil {
			return fmt.Errorf("%w: reading again: %w", ErrInvalid, err)
		}
		res.ch.text = string(buf)
	}
	var need []int
	for j, c := range res.cols {
		if final[j] == kindString && c.kind != kindString && c.kind != kindNone {
			need = append(need, j)
			c.toText()
			c.ends = make([]int, 0, c.n)
		}
	}
	ns := p.nulls
	_, err = parseChunk(res.ch, p.shape, res.rows, nil, func(fields []string, _ int) error {
		for _, j := range need {
			v := fields[j]
			if ns.is(v) {
				v = ""
			}
			res.cols[j].addText(v)
		}
		return nil
	})
	for _, j := range need {
		res.cols[j].kind = kindString
	}
	return err
}

// badCellError names a cell that does not parse as its column's forced
// type t: line is the line its record starts on, col the 0-based column.
func badCellError(line, col int, name, v string, t ColumnType) error {
	if len(v) > 40 {
		v = v[:40] + "..."
	}
	return fmt.Errorf("%w: line %d, column %d (%q): %q is not a valid %s", ErrInvalid, line, col+1, name, v, t)
}
