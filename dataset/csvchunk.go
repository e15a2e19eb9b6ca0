package dataset

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// CSV input is cut into chunks that each hold whole records, so chunks
// can be parsed on separate goroutines. A cut is made only after a
// newline that lies outside any quoted field. (Variables so that tests
// can cut tiny inputs into many chunks.)
var (
	// chunkTarget is the size a chunk grows to before it is cut.
	chunkTarget = 1 << 20
	// headChunk is the size of the first chunk, which holds the header.
	headChunk = 256 << 10
)

// chunk is one piece of CSV input holding whole records.
type chunk struct {
	text     string // the records, as read; "" once dropped (see csvParse.source)
	off      int64  // offset of text in the input
	size     int    // length of text, kept when text is dropped
	lineBase int    // newlines before text in the input
	last     bool   // text runs to the end of the input
}

// cutter reads r and cuts it into chunks at record boundaries.
//
// In strict quoting (lazy false) a newline is outside every quoted field
// exactly when the number of quote characters before it is even: quotes
// only open and close fields or come doubled inside them, and any other
// quote is a parse error. An input with such an error is cut at the wrong
// place only after the error, which the chunk holding the error reports
// first. With LazyQuotes a quote can stand anywhere, so after the first
// quote the rest of the input becomes one chunk.
type cutter struct {
	r       io.Reader
	lazy    bool
	buf     []byte // pending input, not yet handed out
	eof     bool
	err     error // a read error other than io.EOF
	line    int   // newlines before buf
	off     int64 // input bytes before buf
	quoted  bool  // lazy: a quote was seen, read to the end
	started bool
}

// fill reads until buf holds at least n bytes or the input ends.
func (c *cutter) fill(n int) {
	for len(c.buf) < n && !c.eof {
		if cap(c.buf)-len(c.buf) < 64<<10 {
			nb := make([]byte, len(c.buf), max(2*cap(c.buf), n+64<<10))
			copy(nb, c.buf)
			c.buf = nb
		}
		k, err := c.r.Read(c.buf[len(c.buf):cap(c.buf)])
		c.buf = c.buf[:len(c.buf)+k]
		if err != nil {
			c.eof = true
			if !errors.Is(err, io.EOF) {
				c.err = err
			}
		}
	}
}

// next returns the next chunk of about size bytes (more when a record is
// longer), or nil at the end of the input or on a read error (see c.err).
func (c *cutter) next(size int) *chunk {
	if !c.started {
		c.started = true
		c.fill(len(utf8BOM))
		if bytes.HasPrefix(c.buf, utf8BOM) {
			c.buf = c.buf[len(utf8BOM):]
			c.off = int64(len(utf8BOM))
		}
	}
	want := size
	for {
		c.fill(want)
		if c.err != nil {
			return nil
		}
		if len(c.buf) == 0 {
			return nil
		}
		cut := -1
		if c.eof {
			cut = len(c.buf)
		} else {
			cut = c.safeCut()
		}
		if cut > 0 {
			ch := &chunk{text: string(c.buf[:cut]), off: c.off, size: cut, lineBase: c.line, last: c.eof && cut == len(c.buf)}
			c.line += strings.Count(ch.text, "\n")
			c.off += int64(cut)
			rest := copy(c.buf, c.buf[cut:])
			c.buf = c.buf[:rest]
			return ch
		}
		want = 2 * max(want, len(c.buf))
	}
}

// safeCut returns the end of the last record that is complete in buf
// (just after a newline outside quotes), or -1 when there is none yet.
func (c *cutter) safeCut() int {
	b := c.buf
	nl := bytes.LastIndexByte(b, '\n')
	if nl < 0 {
		return -1
	}
	q := bytes.Count(b[:nl], []byte{'"'})
	if q == 0 {
		return nl + 1
	}
	if c.lazy || c.quoted {
		c.quoted = true
		return -1 // read to the end: one chunk
	}
	// Walk back over newlines until one has an even count of quotes
	// before it.
	for q%2 != 0 {
		prev := bytes.LastIndexByte(b[:nl], '\n')
		if prev < 0 {
			return -1
		}
		q -= bytes.Count(b[prev:nl], []byte{'"'})
		nl = prev
	}
	return nl + 1
}

// lineFunc may take a whole line l (without its newline) as a record,
// reporting whether it did; it must leave no trace when it does not. It
// is not offered lines with quotes under LazyQuotes.
type lineFunc func(l string, line int) (bool, error)

// recordFunc receives one record: its fields (valid until the call
// returns, though the strings themselves may be kept) and the line it
// starts on. It returns an error to stop parsing.
type recordFunc func(fields []string, line int) error

// csvShape is what parsing needs to know about the table.
type csvShape struct {
	comma rune
	lazy  bool
	names []string
}

// parseChunk parses the records of ch in order, at most limit of them
// (limit < 0 means all), calling rec for each. It returns the number of
// records passed to rec and the first error, which names the line and
// column as ReadCSV documents.
//
// Valid UTF-8 with a one-byte delimiter goes through a fast splitter that
// follows encoding/csv's rules for lines that hold whole records (empty
// lines skipped, CRLF and a final CR dropped, quoted fields closed on
// their line, doubled quotes); from the first line it cannot take (a
// quoted field running over the line end, a stray quote, LazyQuotes with
// a quote) to the end of the chunk, and for other input, encoding/csv
// parses.
//
// fast, when not nil, is offered each line first.
func parseChunk(ch *chunk, sh *csvShape, limit int, fast lineFunc, rec recordFunc) (int, error) {
	if sh.comma < utf8.RuneSelf && utf8.ValidString(ch.text) {
		return splitChunk(ch, sh, limit, fast, rec)
	}
	return readChunk(ch, sh, limit, rec)
}

// splitChunk parses valid UTF-8 text with a one-byte delimiter.
func splitChunk(ch *chunk, sh *csvShape, limit int, fast lineFunc, rec recordFunc) (int, error) {
	s := ch.text
	comma := byte(sh.comma)
	ncols := len(sh.names)
	quotes := strings.IndexByte(s, '"') >= 0
	line := ch.lineBase
	fields := make([]string, 0, ncols)
	rows := 0
	for len(s) > 0 && rows != limit {
		start := s
		var l string
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			l, s = s[:i], s[i+1:]
		} else {
			l, s = s, ""
		}
		line++
		if n := len(l); n > 0 && l[n-1] == '\r' {
			l = l[:n-1]
		}
		if l == "" {
			continue
		}
		fields = fields[:0]
		ok := true
		hasQuote := quotes && strings.IndexByte(l, '"') >= 0
		if fast != nil && !(hasQuote && sh.lazy) {
			took, err := fast(l, line)
			if err != nil {
				return rows, err
			}
			if took {
				rows++
				continue
			}
		}
		if hasQuote {
			if sh.lazy {
				ok = false
			} else {
				fields, ok = splitQuoted(fields, l, comma)
			}
		} else {
			for {
				i := strings.IndexByte(l, comma)
				if i < 0 {
					fields = append(fields, l)
					break
				}
				fields = append(fields, l[:i])
				l = l[i+1:]
			}
		}
		if !ok {
			rest := &chunk{text: start, lineBase: line - 1, last: ch.last}
			more := limit
			if limit >= 0 {
				more = limit - rows
			}
			n, err := readChunk(rest, sh, more, rec)
			return rows + n, err
		}
		if len(fields) != ncols {
			return rows, raggedError(line, len(fields), ncols)
		}
		if err := rec(fields, line); err != nil {
			return rows, err
		}
		rows++
	}
	return rows, nil
}

// splitQuoted appends the fields of line l, which holds a quote, to
// fields. It reports false when l is not one whole, valid record in
// strict quoting: a quoted field open at the end of l, a quote inside an
// unquoted field, or text after a closing quote.
func splitQuoted(fields []string, l string, comma byte) ([]string, bool) {
	q := strings.IndexByte(l, '"') // the next quote in l, or -1
	for {
		if q == 0 {
			rest := l[1:]
			var buf []byte // the field so far, when it has doubled quotes
			for {
				i := strings.IndexByte(rest, '"')
				if i < 0 {
					return fields, false
				}
				after := rest[i+1:]
				if len(after) > 0 && after[0] == '"' {
					buf = append(buf, rest[:i+1]...)
					rest = after[1:]
					continue
				}
				v := rest[:i]
				if buf != nil {
					v = string(append(buf, v...))
				}
				fields = append(fields, v)
				if len(after) == 0 {
					return fields, true
				}
				if after[0] != comma {
					return fields, false
				}
				l = after[1:]
				q = strings.IndexByte(l, '"')
				break
			}
			continue
		}
		i := strings.IndexByte(l, comma)
		f := l
		if i >= 0 {
			f = l[:i]
		}
		if q >= 0 && q < len(f) {
			return fields, false // a quote inside an unquoted field
		}
		fields = append(fields, f)
		if i < 0 {
			return fields, true
		}
		l = l[i+1:]
		if q >= 0 {
			q -= i + 1
		}
	}
}

// quotedCell reads the quoted field that starts at l[i] (a quote) and
// returns its value and the index just after it (the delimiter, or
// len(l)). It reports false when the field is not closed on the line or
// text other than the delimiter follows the closing quote.
func quotedCell(l string, i int, comma byte) (string, int, bool) {
	rest := l[i+1:]
	var buf []byte // the field so far, when it has doubled quotes
	for {
		k := strings.IndexByte(rest, '"')
		if k < 0 {
			return "", 0, false
		}
		after := rest[k+1:]
		if len(after) > 0 && after[0] == '"' {
			buf = append(buf, rest[:k+1]...)
			rest = after[1:]
			continue
		}
		v := rest[:k]
		if buf != nil {
			v = string(append(buf, v...))
		}
		next := len(l) - len(after)
		if len(after) > 0 && after[0] != comma {
			return "", 0, false
		}
		return v, next, true
	}
}

// readChunk parses ch with encoding/csv.
func readChunk(ch *chunk, sh *csvShape, limit int, rec recordFunc) (int, error) {
	cr := csv.NewReader(strings.NewReader(ch.text))
	cr.Comma = sh.comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.LazyQuotes = sh.lazy
	rows := 0
	for rows != limit {
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				shifted := *pe
				shifted.Line += ch.lineBase
				shifted.StartLine += ch.lineBase
				err = &shifted
			}
			return rows, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		line += ch.lineBase
		if len(fields) != len(sh.names) {
			return rows, raggedError(line, len(fields), len(sh.names))
		}
		for j, v := range fields {
			if !utf8.ValidString(v) {
				l, _ := cr.FieldPos(j)
				return rows, utf8Error(l+ch.lineBase, j, sh.names[j])
			}
		}
		if err := rec(fields, line); err != nil {
			return rows, err
		}
		rows++
	}
	return rows, nil
}
