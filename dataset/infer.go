package dataset

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Per-cell masks of the types a text cell may take. A CSV cell may be
// anything its text parses as; a JSON number only int64/float64, a JSON
// string only timestamp/string, a JSON bool only bool.
const (
	canInt uint8 = 1 << iota
	canFloat
	canBool
	canTime
	cellPresent // set on every non-null cell

	canAny     = canInt | canFloat | canBool | canTime | cellPresent
	cellNull   = uint8(0)
	cellNumber = canInt | canFloat | cellPresent
	cellText   = canTime | cellPresent // JSON string
	cellBool   = canBool | cellPresent
	cellOther  = cellPresent // nested JSON: string only
)

// ctxEvery is how many rows a loop processes between ctx checks.
const ctxEvery = 1 << 14

// Cells are stored in fixed-size chunks, so a growing column never copies
// (or leaves garbage of) its earlier cells.
const (
	chunkBits = 12
	chunkSize = 1 << chunkBits
)

// textColumn holds one column of cells read from a text format before its
// type is known.
type textColumn struct {
	name   string
	chunks [][]string
	masks  []uint8 // per cell; cellNull for a null cell
	n      int
	typ    ColumnType
	// Values parsed while inferring, reused by build when the inferred
	// type is int64 or float64.
	ints []int64
	fls  []float64
}

func (c *textColumn) add(v string, mask uint8) {
	if c.n&(chunkSize-1) == 0 {
		c.chunks = append(c.chunks, make([]string, 0, chunkSize))
	}
	k := len(c.chunks) - 1
	c.chunks[k] = append(c.chunks[k], v)
	c.masks = append(c.masks, mask)
	c.n++
}

func (c *textColumn) val(i int) string { return c.chunks[i>>chunkBits][i&(chunkSize-1)] }

func (c *textColumn) set(i int, v string, mask uint8) {
	c.chunks[i>>chunkBits][i&(chunkSize-1)] = v
	c.masks[i] = mask
}

// infer returns the narrowest type every non-null cell parses as, in the
// order int64, float64, bool, timestamp, string. A column without a
// non-null cell is string. It keeps the parsed numbers in c.ints or c.fls.
func (c *textColumn) infer() ColumnType {
	m := canInt | canFloat | canBool | canTime
	seen := false
	c.ints = make([]int64, c.n)
	for i := 0; i < c.n; i++ {
		k := c.masks[i]
		if k == cellNull {
			continue
		}
		v := c.val(i)
		seen = true
		m &= k
		if m&canInt != 0 {
			if x, ok := parseInt(v); ok {
				c.ints[i] = x
			} else {
				m &^= canInt
			}
		}
		if m&canInt == 0 && m&canFloat != 0 {
			if c.fls == nil {
				// Convert the integers so far (float64(x) rounds as
				// ParseFloat would).
				c.fls = make([]float64, c.n)
				for k := range i {
					c.fls[k] = float64(c.ints[k])
				}
			}
			if x, ok := parseFloat(v); ok {
				c.fls[i] = x
			} else {
				m &^= canFloat
			}
		}
		if m&canBool != 0 {
			if _, ok := parseBool(v); !ok {
				m &^= canBool
			}
		}
		if m&canTime != 0 {
			if _, ok := parseTime(v); !ok {
				m &^= canTime
			}
		}
		if m == 0 {
			break
		}
	}
	if m&canInt == 0 {
		c.ints = nil
	}
	if m&canInt != 0 || m&canFloat == 0 {
		c.fls = nil
	}
	switch {
	case !seen:
		return TypeString
	case m&canInt != 0:
		return TypeInt64
	case m&canFloat != 0:
		return TypeFloat64
	case m&canBool != 0:
		return TypeBool
	case m&canTime != 0:
		return TypeTimestamp
	}
	return TypeString
}

func parseInt(s string) (int64, bool) {
	s = trimSpace(s)
	if s == "" {
		return 0, false
	}
	digits := s
	neg := s[0] == '-'
	if neg || s[0] == '+' {
		digits = s[1:]
	}
	if digits == "" {
		return 0, false
	}
	var v int64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, false // avoid strconv's allocated error
		}
		v = v*10 + int64(c-'0')
	}
	if len(digits) <= 18 { // no overflow possible
		if neg {
			v = -v
		}
		return v, true
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

// trimSpace is strings.TrimSpace, skipped when s plainly has no space
// at either end.
func trimSpace(s string) string {
	if s == "" || (s[0] > ' ' && s[0] < utf8.RuneSelf && s[len(s)-1] > ' ' && s[len(s)-1] < utf8.RuneSelf) {
		return s
	}
	return strings.TrimSpace(s)
}

// pow10 holds the powers of ten a float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// fastFloat parses a plain decimal ([+-]digits[.digits][(e|E)[+-]digits])
// whose digits, as an integer, are at most 2^53 and whose power of ten is
// within ±22: one exact integer times or divided by one exact power of
// ten, rounded once, is the correctly rounded value strconv.ParseFloat
// gives (Clinger's fast path). ok false means "ask strconv".
func fastFloat(s string) (float64, bool) {
	num, end := scanNumber(s, 0)
	if end != len(s) {
		return 0, false
	}
	return num.float()
}

// number is a decimal scanned by scanNumber: (-1)^neg * mant * 10^exp.
type number struct {
	mant  uint64
	exp   int
	neg   bool
	plain bool // digits only: no point, no exponent
}

// scanNumber scans a plain decimal at s[i:] and returns it and where it
// ends; end is -1 when s[i:] does not start with one it can represent
// (no digits, more than 19 of them, or a long exponent).
func scanNumber(s string, i int) (number, int) {
	n := len(s)
	if i >= n {
		return number{}, -1
	}
	var num number
	// The sign without a branch: signs are often random in data.
	num.neg = s[i] == '-'
	if num.neg || s[i] == '+' {
		i++
	}
	// Digits with at most one point; leading zeros count as digits (too
	// many of them only send the text to strconv).
	start := i
	num.mant, i = digits(s, i, 0)
	nd := i - start
	num.plain = true
	if i < n && s[i] == '.' {
		num.plain = false
		frac := i + 1
		num.mant, i = digits(s, frac, num.mant)
		nd += i - frac
		num.exp = frac - i
	}
	if nd == 0 || nd > 19 {
		return number{}, -1
	}
	if i < n && (s[i] == 'e' || s[i] == 'E') {
		num.plain = false
		i++
		eneg := false
		if i < n && (s[i] == '-' || s[i] == '+') {
			eneg = s[i] == '-'
			i++
		}
		e, from := 0, i
		for ; i < n; i++ {
			d := s[i] - '0'
			if d > 9 {
				break
			}
			e = e*10 + int(d)
		}
		if i == from || i-from > 4 {
			return number{}, -1
		}
		if eneg {
			e = -e
		}
		num.exp += e
	}
	return num, i
}

// digits appends the decimal digits at s[i:] to mant (mod 2^64: callers
// count the digits) and returns it and where the digits end. It takes
// eight bytes at a time where it can (SWAR, as simdjson does): which of
// them are digits, then the value of the leading digits in three
// multiplications, instead of a chain of dependent multiply-adds. (Adding
// 6 to a byte from 0xFA up carries into the next one, but such a byte is
// itself not a digit, and only the digits before the first non-digit
// count.)
func digits(s string, i int, mant uint64) (uint64, int) {
	for i+8 <= len(s) {
		v := le64(s[i : i+8])
		const hi, zeros, six = 0xF0F0F0F0F0F0F0F0, 0x3030303030303030, 0x0606060606060606
		// A byte of m is zero exactly when that byte of v is '0'-'9'.
		m := ((v & hi) ^ zeros) | (((v + six) & hi) ^ zeros)
		k := bits.TrailingZeros64(m) / 8 // leading digits
		if k == 0 {
			return mant, i
		}
		mant = mant*pow10u[k] + eightDigits(v<<(8*(8-k)))
		i += k
		if k < 8 {
			return mant, i
		}
	}
	for ; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			break
		}
		mant = mant*10 + uint64(d)
	}
	return mant, i
}

// le64 reads 8 bytes of s as a little-endian word (first byte lowest).
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// eightDigits returns the value of the eight decimal digits in v (first
// digit in the lowest byte; bytes 0x00 count as zeros).
func eightDigits(v uint64) uint64 {
	v = (v & 0x0F0F0F0F0F0F0F0F) * 2561 >> 8
	v = (v & 0x00FF00FF00FF00FF) * 6553601 >> 16
	return (v & 0x0000FFFF0000FFFF) * 42949672960001 >> 32
}

// pow10u holds 10^k for k <= 8.
var pow10u = [...]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8}

// float returns the number as the correctly rounded float64, when the
// fast path can (see fastFloat).
func (num number) float() (float64, bool) {
	if num.mant > 1<<53 {
		return 0, false
	}
	f := float64(num.mant)
	switch {
	case num.mant == 0 || num.exp == 0:
	case num.exp > 0 && num.exp <= 22:
		f *= pow10[num.exp]
	case num.exp < 0 && num.exp >= -22:
		f /= pow10[-num.exp]
	default:
		return 0, false
	}
	if num.neg {
		f = -f
	}
	return f, true
}

// int returns the number as an int64 when it is plain digits (at most 18,
// so it cannot overflow), as parseInt would.
func (num number) int() (int64, bool) {
	if !num.plain || num.mant >= 1e18 {
		return 0, false
	}
	if num.neg {
		return -int64(num.mant), true
	}
	return int64(num.mant), true
}

func parseFloat(s string) (float64, bool) {
	s = trimSpace(s)
	if s == "" {
		return 0, false
	}
	switch c := s[0]; {
	case c >= '0' && c <= '9', c == '-', c == '+', c == '.', c == 'i', c == 'I', c == 'n', c == 'N':
	default:
		return 0, false // avoid strconv's allocated error
	}
	if v, ok := fastFloat(s); ok {
		return v, true
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

func parseBool(s string) (bool, bool) {
	switch strings.TrimSpace(s) {
	case "true", "TRUE", "True":
		return true, true
	case "false", "FALSE", "False":
		return false, true
	}
	return false, false
}

// timeLayouts are tried in order by parseTime.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04:05Z07:00"}

// parseTime parses a date ("2006-01-02"), an RFC 3339 timestamp or
// "2006-01-02 15:04:05" (fractional seconds allowed). Times without a zone
// are taken as UTC.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 10 || s[4] != '-' || s[7] != '-' || s[0] < '0' || s[0] > '9' {
		return time.Time{}, false
	}
	if len(s) == 10 {
		t, err := time.Parse(time.DateOnly, s)
		return t, err == nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// arrowType returns the Arrow type a column of type t is stored as.
func (t ColumnType) arrowType() (arrow.DataType, error) {
	switch t {
	case TypeInt64:
		return arrow.PrimitiveTypes.Int64, nil
	case TypeFloat64:
		return arrow.PrimitiveTypes.Float64, nil
	case TypeBool:
		return arrow.FixedWidthTypes.Boolean, nil
	case TypeTimestamp:
		return arrow.FixedWidthTypes.Timestamp_us, nil
	case TypeString:
		return arrow.BinaryTypes.String, nil
	}
	return nil, fmt.Errorf("%w: unknown column type %q", ErrInvalid, string(t))
}

// cellError names the offending cell: lines[i] is the source line of row i,
// col the 0-based column index.
func cellError(lines []int, i, col int, name, v string, t ColumnType) error {
	line := 0
	if i < len(lines) {
		line = lines[i]
	}
	return badCellError(line, col, name, v, t)
}

// parseCells parses every non-null cell (visited by each) with parse into
// a slice of n values; the first cell that does not parse is reported by
// bad.
func parseCells[T any](n int, each func(func(int, string) error) error, parse func(string) (T, bool), bad func(i int, v string) error) ([]T, error) {
	vals := make([]T, n)
	err := each(func(i int, v string) error {
		x, ok := parse(v)
		if !ok {
			return bad(i, v)
		}
		vals[i] = x
		return nil
	})
	return vals, err
}

// build converts the cells into an Arrow array of type c.typ (inferring it
// when TypeAuto). The caller must Release the array.
func (c *textColumn) build(ctx context.Context, mem memory.Allocator, col int, lines []int) (arrow.Array, error) {
	if c.typ == TypeAuto {
		c.typ = c.infer()
	}
	n := c.n
	valid := make([]bool, n)
	for i, k := range c.masks {
		valid[i] = k != cellNull
	}
	bad := func(i int, v string) error { return cellError(lines, i, col, c.name, v, c.typ) }
	// each calls f for every non-null cell, checking ctx now and then.
	each := func(f func(i int, v string) error) error {
		for i := 0; i < n; i++ {
			if i%ctxEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if valid[i] {
				if err := f(i, c.val(i)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	switch c.typ {
	case TypeInt64:
		vals := c.ints
		if vals == nil {
			var err error
			if vals, err = parseCells(n, each, parseInt, bad); err != nil {
				return nil, err
			}
		}
		b := array.NewInt64Builder(mem)
		defer b.Release()
		b.AppendValues(vals, valid)
		return b.NewArray(), nil
	case TypeFloat64:
		vals := c.fls
		if vals == nil {
			var err error
			if vals, err = parseCells(n, each, parseFloat, bad); err != nil {
				return nil, err
			}
		}
		for i, x := range vals {
			if math.IsNaN(x) {
				valid[i] = false
			}
		}
		b := array.NewFloat64Builder(mem)
		defer b.Release()
		b.AppendValues(vals, valid)
		return b.NewArray(), nil
	case TypeBool:
		vals, err := parseCells(n, each, parseBool, bad)
		if err != nil {
			return nil, err
		}
		b := array.NewBooleanBuilder(mem)
		defer b.Release()
		b.AppendValues(vals, valid)
		return b.NewArray(), nil
	case TypeTimestamp:
		vals, err := parseCells(n, each, func(v string) (arrow.Timestamp, bool) {
			x, ok := parseTime(v)
			return arrow.Timestamp(x.UnixMicro()), ok
		}, bad)
		if err != nil {
			return nil, err
		}
		b := array.NewTimestampBuilder(mem, arrow.FixedWidthTypes.Timestamp_us.(*arrow.TimestampType))
		defer b.Release()
		b.AppendValues(vals, valid)
		return b.NewArray(), nil
	case TypeString:
		b := array.NewStringBuilder(mem)
		defer b.Release()
		b.Reserve(n)
		size := 0
		for i := 0; i < n; i++ {
			size += len(c.val(i))
		}
		b.ReserveData(size)
		for i := 0; i < n; i++ {
			if i%ctxEvery == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			if !valid[i] {
				b.AppendNull()
				continue
			}
			b.Append(c.val(i))
		}
		return b.NewArray(), nil
	}
	return nil, fmt.Errorf("%w: column %q: unknown column type %q", ErrInvalid, c.name, string(c.typ))
}

// buildFrame turns text columns into a Frame; the caller must Release it.
func buildFrame(ctx context.Context, mem memory.Allocator, cols []*textColumn, lines []int, nrows int) (*Frame, error) {
	arrs := make([]arrow.Array, 0, len(cols))
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	for j, c := range cols {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		a, err := c.build(ctx, mem, j, lines)
		if err != nil {
			return nil, err
		}
		arrs = append(arrs, a)
	}
	names := make([]string, len(cols))
	for j, c := range cols {
		names[j] = c.name
	}
	return frameFromArrays(mem, names, arrs, nrows)
}

// frameFromArrays builds a Frame over arrs (retained; the caller keeps its
// references). The caller must Release the Frame.
func frameFromArrays(mem memory.Allocator, names []string, arrs []arrow.Array, nrows int) (*Frame, error) {
	fields := make([]arrow.Field, len(arrs))
	for j, a := range arrs {
		fields[j] = arrow.Field{Name: names[j], Type: a.DataType(), Nullable: true}
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, int64(nrows))
	defer rec.Release()
	f, err := NewFrame(rec)
	if err != nil {
		return nil, err
	}
	f.mem = mem
	return f, nil
}

// checkNames reports an empty or duplicate column name.
func checkNames(names []string) error {
	seen := make(map[string]int, len(names))
	for j, n := range names {
		if strings.TrimSpace(n) == "" {
			return fmt.Errorf("%w: line 1, column %d: empty column name", ErrInvalid, j+1)
		}
		if k, ok := seen[n]; ok {
			return fmt.Errorf("%w: line 1, column %d: duplicate column name %q (also column %d)", ErrInvalid, j+1, n, k+1)
		}
		seen[n] = j
	}
	return nil
}
