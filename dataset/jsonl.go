package dataset

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ReadJSONL reads JSON lines (one object per line; blank lines skipped)
// into a Frame; the caller must Release the Frame. As a convenience, input
// whose first non-space byte is '[' is read as one JSON array of objects.
//
// Columns appear in the order their keys are first seen; a key missing
// from an object, or a JSON null, is a null cell. Types are inferred over
// the whole input like ReadCSV: numbers become int64 when all are
// integers, else float64; booleans bool; strings timestamp when all parse
// as one (see ReadCSV), else string; a column mixing JSON kinds, or holding
// nested objects or arrays (kept as their JSON text), is string.
// opts.Types forces a column's type; opts.NullValues is not used.
//
// Errors wrap ErrInvalid and name the line for malformed JSON, a line that
// is not an object, an empty key or a value that does not parse as its
// forced type; ErrEmpty for input without any object or key; ErrNoColumn
// for a Types key never seen.
func ReadJSONL(ctx context.Context, r io.Reader, opts ReadOptions) (*Frame, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: nil reader", ErrInvalid)
	}
	mem := allocator(opts.Allocator)
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	p := &jsonParser{index: map[string]*textColumn{}}

	// Peek past leading white space for an array.
	first := byte(0)
	for {
		b, err := br.Peek(1)
		if err != nil {
			break
		}
		if b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n' {
			if b[0] == '\n' {
				p.lineNo++
			}
			_, _ = br.Discard(1)
			continue
		}
		first = b[0]
		break
	}
	var err error
	if first == '[' {
		err = p.readArray(ctx, br, opts.MaxRows)
	} else {
		err = p.readLines(ctx, br, opts.MaxRows)
	}
	if err != nil {
		return nil, err
	}
	if p.rows == 0 || len(p.cols) == 0 {
		return nil, fmt.Errorf("%w: no JSON objects with keys", ErrEmpty)
	}
	for _, c := range p.cols {
		for c.n < p.rows {
			c.add("", cellNull)
		}
	}
	for name, t := range opts.Types {
		c, ok := p.index[name]
		if !ok {
			return nil, fmt.Errorf("%w: %q in ReadOptions.Types", ErrNoColumn, name)
		}
		if _, err := t.arrowType(); t != TypeAuto && err != nil {
			return nil, fmt.Errorf("%w (column %q)", err, name)
		}
		c.typ = t
	}
	return buildFrame(ctx, mem, p.cols, p.lines, p.rows)
}

type jsonParser struct {
	cols   []*textColumn
	index  map[string]*textColumn
	lines  []int // source line (or array element number) of each row
	rows   int
	lineNo int
}

func (p *jsonParser) readLines(ctx context.Context, br *bufio.Reader, maxRows int) error {
	for maxRows <= 0 || p.rows < maxRows {
		if p.rows%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		line, rerr := br.ReadString('\n')
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return rerr
		}
		if len(line) > 0 {
			p.lineNo++
			if s := strings.TrimSpace(line); s != "" {
				dec := json.NewDecoder(strings.NewReader(s))
				dec.UseNumber()
				if err := p.object(dec, p.lineNo); err != nil {
					return fmt.Errorf("%w: line %d: %w", ErrInvalid, p.lineNo, err)
				}
				if _, err := dec.Token(); !errors.Is(err, io.EOF) {
					return fmt.Errorf("%w: line %d: data after the object", ErrInvalid, p.lineNo)
				}
			}
		}
		if rerr != nil {
			return nil
		}
	}
	return nil
}

func (p *jsonParser) readArray(ctx context.Context, br *bufio.Reader, maxRows int) error {
	dec := json.NewDecoder(br)
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	for el := 1; dec.More(); el++ {
		if maxRows > 0 && p.rows >= maxRows {
			return nil
		}
		if p.rows%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := p.object(dec, el); err != nil {
			return fmt.Errorf("%w: array element %d: %w", ErrInvalid, el, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("%w: after array element %d: %w", ErrInvalid, p.rows, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: data after the JSON array", ErrInvalid)
	}
	return nil
}

// object reads one JSON object from dec as row p.rows.
func (p *jsonParser) object(dec *json.Decoder, line int) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("not a JSON object")
	}
	row := p.rows
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("object key is not a string")
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("key %q: %w", key, err)
		}
		if strings.TrimSpace(key) == "" {
			return fmt.Errorf("empty key")
		}
		c, ok := p.index[key]
		if !ok {
			c = &textColumn{name: key}
			for range row {
				c.add("", cellNull)
			}
			p.index[key] = c
			p.cols = append(p.cols, c)
		}
		v, mask, err := jsonCell(raw)
		if err != nil {
			return fmt.Errorf("key %q: %w", key, err)
		}
		if c.n > row { // duplicate key: the last one wins
			c.set(row, v, mask)
			continue
		}
		for c.n < row {
			c.add("", cellNull)
		}
		c.add(v, mask)
	}
	if _, err := dec.Token(); err != nil { // '}'
		return err
	}
	p.rows++
	p.lines = append(p.lines, line)
	return nil
}

// jsonCell returns a JSON value's text and cell mask.
func jsonCell(raw json.RawMessage) (string, uint8, error) {
	if len(raw) == 0 {
		return "", cellNull, nil
	}
	switch raw[0] {
	case 'n':
		return "", cellNull, nil
	case 't':
		return "true", cellBool, nil
	case 'f':
		return "false", cellBool, nil
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", 0, err
		}
		return s, cellText, nil
	case '{', '[':
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			return "", 0, err
		}
		return b.String(), cellOther, nil
	}
	return string(raw), cellNumber, nil
}
