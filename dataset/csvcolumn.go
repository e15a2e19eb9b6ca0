package dataset

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// cellKind is the type a column's cells take in one chunk. Apart from
// int64 widening to float64 the kinds exclude one another (no text is
// both a number and a bool or a timestamp), so the column type over the
// whole file is the join of its chunks' kinds: kindNone joins with
// anything, int and float give float, any other mix gives string.
type cellKind uint8

const (
	kindNone   cellKind = iota // only nulls so far
	kindInt                    // int64 values in ints
	kindFloat                  // float64 values in fls, NaN at nulls
	kindBool                   // bool values in bools
	kindTime                   // microseconds since the epoch in ints
	kindString                 // text in text/ends
	kindText                   // string, text not kept: parse the chunk again
)

// join returns the kind of a column whose cells are of kinds a and b.
func join(a, b cellKind) cellKind {
	switch {
	case a == b:
		return a
	case a == kindNone:
		return b
	case b == kindNone:
		return a
	case (a == kindInt && b == kindFloat) || (a == kindFloat && b == kindInt):
		return kindFloat
	}
	return kindString
}

// kindOf returns the cell kind a column type is stored as.
func kindOf(t ColumnType) cellKind {
	switch t {
	case TypeInt64:
		return kindInt
	case TypeFloat64:
		return kindFloat
	case TypeBool:
		return kindBool
	case TypeTimestamp:
		return kindTime
	case TypeString:
		return kindString
	}
	return kindNone
}

func (k cellKind) columnType() ColumnType {
	switch k {
	case kindInt:
		return TypeInt64
	case kindFloat:
		return TypeFloat64
	case kindBool:
		return TypeBool
	case kindTime:
		return TypeTimestamp
	}
	return TypeString
}

// badCell is the first cell of a chunk that does not parse as its
// column's forced type.
type badCell struct {
	line  int
	value string
}

// colChunk holds one column's cells from one chunk, parsed as the
// narrowest kind they all take. A column with a forced type keeps that
// kind and records its first unparsable cell in bad.
type colChunk struct {
	kind   cellKind
	forced bool
	n      int       // cells
	hint   int       // expected cells, for the first allocation
	ints   []int64   // kindInt, kindTime
	fls    []float64 // kindFloat; NaN at nulls
	bools  []bool    // kindBool
	text   []byte    // kindString: the cells' bytes, one after another
	ends   []int     // kindString: where each cell's bytes end in text
	nulls  []int32   // cells holding a null marker
	nan    bool      // kindFloat: a value parsed as NaN (stored as null)
	bad    *badCell
}

// null appends a null cell.
func (c *colChunk) null() {
	c.nulls = append(c.nulls, int32(c.n))
	c.n++
	switch c.kind {
	case kindInt, kindTime:
		c.ints = append(c.ints, 0)
	case kindFloat:
		c.fls = append(c.fls, math.NaN())
	case kindBool:
		c.bools = append(c.bools, false)
	case kindString:
		c.ends = append(c.ends, len(c.text))
	}
}

// add appends the non-null cell v, found on line.
func (c *colChunk) add(v string, line int) {
	if c.kind == kindNone {
		c.start(v)
	}
	switch c.kind {
	case kindInt:
		if x, ok := parseInt(v); ok {
			c.ints = append(c.ints, x)
			break
		}
		if c.forced {
			c.fail(v, line)
			c.ints = append(c.ints, 0)
			break
		}
		if x, ok := parseFloat(v); ok {
			// float64(x) rounds as ParseFloat would.
			c.fls = make([]float64, len(c.ints), max(cap(c.ints), len(c.ints)+1))
			for i, x := range c.ints {
				c.fls[i] = float64(x)
			}
			for _, i := range c.nulls {
				c.fls[i] = math.NaN()
			}
			c.ints, c.kind = nil, kindFloat
			c.fls = append(c.fls, x)
			c.nan = c.nan || math.IsNaN(x)
			break
		}
		c.toText()
	case kindFloat:
		if x, ok := fastFloat(v); ok { // plain decimals, without parseFloat's checks
			c.fls = append(c.fls, x)
			break
		}
		if x, ok := parseFloat(v); ok {
			c.fls = append(c.fls, x)
			c.nan = c.nan || math.IsNaN(x)
			break
		}
		if c.forced {
			c.fail(v, line)
			c.fls = append(c.fls, 0)
			break
		}
		c.toText()
	case kindBool:
		if x, ok := parseBool(v); ok {
			c.bools = append(c.bools, x)
			break
		}
		if c.forced {
			c.fail(v, line)
			c.bools = append(c.bools, false)
			break
		}
		c.toText()
	case kindTime:
		if x, ok := parseTime(v); ok {
			c.ints = append(c.ints, x.UnixMicro())
			break
		}
		if c.forced {
			c.fail(v, line)
			c.ints = append(c.ints, 0)
			break
		}
		c.toText()
	case kindString:
		c.addText(v)
	}
	c.n++
}

// start picks the kind of the first non-null cell v (after c.n nulls).
func (c *colChunk) start(v string) {
	switch {
	case isInt(v):
		c.startKind(kindInt)
	case isFloat(v):
		c.startKind(kindFloat)
	case isBool(v):
		c.startKind(kindBool)
	case isTime(v):
		c.startKind(kindTime)
	default:
		c.startKind(kindString)
	}
}

// startKind makes c a column of kind k after c.n nulls.
func (c *colChunk) startKind(k cellKind) {
	size := max(c.hint, 2*c.n, 256)
	c.kind = k
	switch k {
	case kindInt, kindTime:
		c.ints = make([]int64, c.n, size)
	case kindFloat:
		c.fls = make([]float64, c.n, size)
		for i := range c.fls {
			c.fls[i] = math.NaN()
		}
	case kindBool:
		c.bools = make([]bool, c.n, size)
	case kindString:
		c.ends = make([]int, c.n, size)
	}
}

// addText appends the text cell v, copied: a string column does not
// keep the chunk it came from.
func (c *colChunk) addText(v string) {
	if c.text == nil {
		c.text = make([]byte, 0, min(len(v)+1, 64)*max(cap(c.ends), 16))
	}
	c.text = append(c.text, v...)
	c.ends = append(c.ends, len(c.text))
}

// cell returns the bytes of cell i of a kindString chunk.
func (c *colChunk) cell(i int) []byte {
	start := 0
	if i > 0 {
		start = c.ends[i-1]
	}
	return c.text[start:c.ends[i]]
}

func isInt(v string) bool   { _, ok := parseInt(v); return ok }
func isFloat(v string) bool { _, ok := parseFloat(v); return ok }
func isBool(v string) bool  { _, ok := parseBool(v); return ok }
func isTime(v string) bool  { _, ok := parseTime(v); return ok }

// toText gives up on a typed kind: the column is string, and its text
// is read again from the chunk when the frame is built.
func (c *colChunk) toText() {
	c.kind = kindText
	c.ints, c.fls, c.bools, c.text, c.ends = nil, nil, nil, nil, nil
}

func (c *colChunk) fail(v string, line int) {
	if c.bad == nil {
		c.bad = &badCell{line: line, value: strings.Clone(v)}
	}
}

// valid returns the validity of c's cells, nil when none is null.
func (c *colChunk) valid() []bool {
	if len(c.nulls) == 0 {
		return nil
	}
	v := make([]bool, c.n)
	for i := range v {
		v[i] = true
	}
	for _, i := range c.nulls {
		v[i] = false
	}
	return v
}

// nullSet tells null markers from values.
type nullSet struct {
	set         map[string]struct{}
	emptyIsNull bool
	// start[b] is set when some marker starts with byte b (or b is
	// space); other cells skip the map lookup.
	start [256]bool
}

func newNullSet(list []string) *nullSet {
	if list == nil {
		list = DefaultNullValues
	}
	ns := &nullSet{set: make(map[string]struct{}, len(list))}
	for _, v := range list {
		ns.set[strings.TrimSpace(v)] = struct{}{}
	}
	_, ns.emptyIsNull = ns.set[""]
	for v := range ns.set {
		if v != "" {
			ns.start[v[0]] = true
		}
	}
	for _, b := range []byte(" \t\n\r\v\f") {
		ns.start[b] = true
	}
	return ns
}

// is reports whether v is a null marker, ignoring surrounding spaces.
func (ns *nullSet) is(v string) bool {
	if v == "" {
		return ns.emptyIsNull
	}
	if !ns.start[v[0]] {
		return false
	}
	if _, ok := ns.set[v]; ok {
		return true
	}
	_, ok := ns.set[strings.TrimSpace(v)]
	return ok
}

// Dictionary encoding of string columns: a column of at least dictMinRows
// rows whose distinct values number at most one per dictShare non-null
// cells is stored as dictionary<values=utf8, indices=int32>.
const (
	dictMinRows = 1024
	dictShare   = 4
)

// buildColumn concatenates a column's chunks into one Arrow array of kind
// k (after any text was read again). The caller must Release it.
// Each chunk's values are dropped once copied, so they can be collected
// while the rest is built.
func buildColumn(ctx context.Context, mem memory.Allocator, k cellKind, parts []*colChunk) (arrow.Array, error) {
	total := 0
	for _, p := range parts {
		total += p.n
	}
	var b array.Builder
	switch k {
	case kindInt:
		ib := array.NewInt64Builder(mem)
		b = ib
		ib.Reserve(total)
		for _, p := range parts {
			if p.kind == kindNone {
				ib.AppendNulls(p.n)
				continue
			}
			ib.AppendValues(p.ints, p.valid())
			p.ints = nil
		}
	case kindFloat:
		fb := array.NewFloat64Builder(mem)
		b = fb
		fb.Reserve(total)
		for _, p := range parts {
			switch p.kind {
			case kindNone:
				fb.AppendNulls(p.n)
				continue
			case kindInt:
				p.fls = make([]float64, len(p.ints))
				for i, x := range p.ints {
					p.fls[i] = float64(x)
				}
				for _, i := range p.nulls {
					p.fls[i] = math.NaN()
				}
				p.ints = nil
			}
			valid := p.valid()
			if p.nan { // a cell parsed as NaN: null too
				for i, x := range p.fls {
					if math.IsNaN(x) {
						if valid == nil {
							valid = make([]bool, len(p.fls))
							for k := range valid {
								valid[k] = true
							}
						}
						valid[i] = false
					}
				}
			}
			fb.AppendValues(p.fls, valid)
			p.fls = nil
		}
	case kindBool:
		bb := array.NewBooleanBuilder(mem)
		b = bb
		bb.Reserve(total)
		for _, p := range parts {
			if p.kind == kindNone {
				bb.AppendNulls(p.n)
				continue
			}
			bb.AppendValues(p.bools, p.valid())
			p.bools = nil
		}
	case kindTime:
		tb := array.NewTimestampBuilder(mem, arrow.FixedWidthTypes.Timestamp_us.(*arrow.TimestampType))
		b = tb
		tb.Reserve(total)
		for _, p := range parts {
			if p.kind == kindNone {
				tb.AppendNulls(p.n)
				continue
			}
			vals := make([]arrow.Timestamp, len(p.ints))
			for i, x := range p.ints {
				vals[i] = arrow.Timestamp(x)
			}
			tb.AppendValues(vals, p.valid())
			p.ints = nil
		}
	default:
		return buildStrings(ctx, mem, parts, total)
	}
	defer b.Release()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return b.NewArray(), nil
}

// buildStrings builds a string column, dictionary encoded when it has few
// distinct values (see dictMinRows).
func buildStrings(ctx context.Context, mem memory.Allocator, parts []*colChunk, total int) (arrow.Array, error) {
	// each calls f on every cell of the column; ok false for a null.
	each := func(f func(v []byte, ok bool) bool) error {
		for _, p := range parts {
			if err := ctx.Err(); err != nil {
				return err
			}
			if p.kind == kindNone {
				for range p.n {
					if !f(nil, false) {
						return nil
					}
				}
				continue
			}
			k := 0
			for i := range p.ends {
				ok := true
				if k < len(p.nulls) && int(p.nulls[k]) == i {
					ok = false
					k++
				}
				if !f(p.cell(i), ok) {
					return nil
				}
			}
		}
		return nil
	}
	if total >= dictMinRows {
		nonNull := 0
		for _, p := range parts {
			if p.kind != kindNone {
				nonNull += p.n - len(p.nulls)
			}
		}
		limit := nonNull / dictShare
		codes := make(map[string]int32, 64)
		var dict []string
		idx := make([]int32, 0, total)
		var valid []bool
		if nonNull < total {
			valid = make([]bool, 0, total)
		}
		fits := true
		err := each(func(v []byte, ok bool) bool {
			if valid != nil {
				valid = append(valid, ok)
			}
			if !ok {
				idx = append(idx, 0)
				return true
			}
			c, seen := codes[string(v)] // no allocation for the lookup
			if !seen {
				if len(dict) >= limit {
					fits = false
					return false
				}
				c = int32(len(dict))
				key := string(v)
				codes[key] = c
				dict = append(dict, key)
			}
			idx = append(idx, c)
			return true
		})
		if err != nil {
			return nil, err
		}
		if fits && len(dict) > 0 {
			return dictionaryArray(mem, dict, idx, valid), nil
		}
	}
	sb := array.NewStringBuilder(mem)
	defer sb.Release()
	sb.Reserve(total)
	size := 0
	for _, p := range parts {
		size += len(p.text)
	}
	sb.ReserveData(size)
	err := each(func(v []byte, ok bool) bool {
		if ok {
			sb.BinaryBuilder.Append(v)
		} else {
			sb.AppendNull()
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	return sb.NewArray(), nil
}

// dictionaryArray builds dictionary<values=utf8, indices=int32> from the
// distinct values and per-row codes (valid nil: no nulls). The caller
// must Release it.
func dictionaryArray(mem memory.Allocator, dict []string, idx []int32, valid []bool) arrow.Array {
	sb := array.NewStringBuilder(mem)
	defer sb.Release()
	sb.AppendValues(dict, nil)
	values := sb.NewArray()
	defer values.Release()
	ib := array.NewInt32Builder(mem)
	defer ib.Release()
	ib.AppendValues(idx, valid)
	indices := ib.NewArray()
	defer indices.Release()
	typ := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	return array.NewDictionaryArray(typ, indices, values)
}

// raggedError reports a record with the wrong number of fields.
func raggedError(line, got, want int) error {
	return fmt.Errorf("%w: line %d: %d fields, want %d as in the header", ErrInvalid, line, got, want)
}

// utf8Error reports invalid UTF-8 in the cell at line and 0-based column col.
func utf8Error(line, col int, name string) error {
	return fmt.Errorf("%w: line %d, column %d (%q): invalid UTF-8", ErrInvalid, line, col+1, name)
}
