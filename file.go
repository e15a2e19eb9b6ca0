package automl

import (
	"bufio"
	"encoding"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"runtime/debug"
	"slices"

	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/ensemble"
	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/preprocess"
)

// The predictor file format, version 1:
//
//	magic     8 bytes  "AUTOMLPR"
//	version   uint32   little endian
//	manifest  uint32 length + JSON (fileManifest)
//	blobs     uint32 count, then per blob uint32 length + bytes
//	checksum  uint32   CRC-32 (IEEE) of everything before it
//
// Blob 0 is the preprocessing pipeline; every model's bytes follow, in
// the order the manifest lists them, then the stacker's if there is one. A file of another version, a bad
// checksum, a truncated file or a blob a model cannot decode is an error
// wrapping ErrModelFile.
const (
	fileMagic   = "AUTOMLPR"
	fileVersion = 1
	// maxBlob bounds one blob, so a corrupt length cannot ask for an
	// absurd allocation.
	maxBlob = 1 << 31
)

type fileManifest struct {
	Version     int          `json:"version"`
	Target      string       `json:"target"`
	Task        dataset.Task `json:"task"`
	Classes     []string     `json:"classes,omitempty"`
	Metric      string       `json:"metric"`
	Columns     []string     `json:"columns"`
	Threshold   float64      `json:"threshold,omitempty"`
	Temperature float64      `json:"temperature,omitempty"`
	Members     []fileMember `json:"members"`
	// StackerBlob is the blob of the stacking meta-model; 0 means none
	// (blob 0 is always the pipeline).
	StackerBlob int            `json:"stacker_blob,omitempty"`
	StackX      bool           `json:"stack_x,omitempty"`
	StackInput  models.Input   `json:"stack_input,omitempty"`
	Extra       map[string]any `json:"extra,omitempty"`
}

type fileMember struct {
	Model  string        `json:"model"`
	Params models.Params `json:"params"`
	Input  models.Input  `json:"input"`
	Weight float64       `json:"weight"`
	// Temperature, when > 0, tempers the member's own probabilities
	// before they are combined (see member.temp).
	Temperature float64 `json:"temperature,omitempty"`
	Blobs       []int   `json:"blobs"` // indices of the fitted models' bytes
}

// Save writes the predictor to w in one versioned, self-describing file
// (see Load). Every model in it must implement encoding.BinaryMarshaler.
//
// Save streams: it holds one model's bytes at a time, not the whole file.
// On error w may hold a partial file (the CLI writes to a temporary file
// and renames it).
func (p *Predictor) Save(w io.Writer) error {
	if p == nil || p.pipe == nil || len(p.members) == 0 {
		return fmt.Errorf("%w: an empty Predictor (not made by Fit or Load) has nothing to save", ErrPredict)
	}
	// The manifest first: blob 0 is the pipeline, then every model in
	// member order, then the stacker.
	man := fileManifest{
		Version: fileVersion, Target: p.target, Task: p.task, Classes: p.classes,
		Metric: p.metric, Columns: p.columns, Threshold: p.threshold, Temperature: p.temperature,
	}
	blobs := []func() ([]byte, error){p.pipe.MarshalBinary}
	for _, m := range p.members {
		fm := fileMember{Model: m.name, Params: m.params, Input: m.input, Weight: m.weight, Temperature: m.temp}
		for _, mod := range m.models {
			bm, ok := mod.(encoding.BinaryMarshaler)
			if !ok {
				return fmt.Errorf("automl: model %s (%T) cannot be saved: it does not implement encoding.BinaryMarshaler", m.name, mod)
			}
			fm.Blobs = append(fm.Blobs, len(blobs))
			blobs = append(blobs, bm.MarshalBinary)
		}
		man.Members = append(man.Members, fm)
	}
	if p.stacker != nil {
		man.StackerBlob, man.StackX, man.StackInput = len(blobs), p.stackX, p.stackInput
		blobs = append(blobs, p.stacker.MarshalBinary)
	}
	js, err := json.Marshal(man)
	if err != nil {
		return fmt.Errorf("automl: saving the manifest: %w", err)
	}
	sum := crc32.NewIEEE()
	bw := bufio.NewWriterSize(io.MultiWriter(w, sum), 1<<16)
	put := func(v uint32) { _ = binary.Write(bw, binary.LittleEndian, v) }
	bw.WriteString(fileMagic)
	put(fileVersion)
	put(uint32(len(js)))
	bw.Write(js)
	put(uint32(len(blobs)))
	for i, marshal := range blobs {
		b, err := marshal()
		if err != nil {
			return fmt.Errorf("automl: saving blob %d: %w", i, err)
		}
		if len(b) > maxBlob {
			return fmt.Errorf("automl: a model of %d bytes is too large to save", len(b))
		}
		put(uint32(len(b)))
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return binary.Write(w, binary.LittleEndian, sum.Sum32())
}

// Load reads a predictor written by Predictor.Save, making its models from
// models.Default(). A corrupt, truncated or foreign file, or one of another
// format version, is an error wrapping ErrModelFile; Load never panics.
func Load(r io.Reader) (*Predictor, error) { return LoadWith(r, nil) }

// LoadWith is Load with the models made from reg (nil means
// models.Default()), for predictors trained with a custom registry.
//
// LoadWith streams: it reads the header and manifest, then one blob at a
// time into a buffer of that blob's size, decodes it and lets it go, so
// its peak memory is the decoded predictor plus its largest blob, not the
// whole file. The checksum is computed on the way and checked at the end:
// a file whose checksum does not match returns an error and no predictor,
// even if every blob decoded. As before, r is read to its end: bytes after
// the checksum are an error.
func LoadWith(r io.Reader, reg *models.Registry) (p *Predictor, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			p, err = nil, fmt.Errorf("%w: %v\n%s", ErrModelFile, rec, trimStack(debug.Stack()))
		}
	}()
	if reg == nil {
		reg = models.Default()
	}
	ld := newLoader(r)
	var magic [len(fileMagic)]byte
	if err := ld.full(magic[:]); err != nil || string(magic[:]) != fileMagic {
		if err != nil && !errors.Is(err, errTruncated) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: not a predictor file (no %q header)", ErrModelFile, fileMagic)
	}
	version, err := ld.u32()
	if err != nil {
		return nil, err
	}
	if version != fileVersion {
		return nil, fmt.Errorf("%w: format version %d, this library reads version %d", ErrModelFile, version, fileVersion)
	}
	p, err = ld.predictor(reg)
	if err != nil {
		return nil, ld.fail(err)
	}
	if err := ld.end(); err != nil {
		return nil, err
	}
	return p, nil
}

// errTruncated marks a file that ends before its framing says it should.
var errTruncated = fmt.Errorf("%w: truncated", ErrModelFile)

// loader reads a predictor file as a stream. Every byte before the
// checksum goes through src, which feeds sum.
type loader struct {
	in  *bufio.Reader
	src io.Reader // in, teed into sum
	sum hash.Hash32
	// left is how many bytes the source still holds when its size is
	// known (a file, a bytes.Reader), else -1. It lets a corrupt length
	// fail before anything is allocated for it.
	left int64
}

func newLoader(r io.Reader) *loader {
	ld := &loader{in: bufio.NewReaderSize(r, 1<<16), sum: crc32.NewIEEE(), left: sizeLeft(r)}
	ld.src = io.TeeReader(ld.in, ld.sum)
	return ld
}

// sizeLeft returns how many bytes r still holds, or -1 if it cannot tell.
func sizeLeft(r io.Reader) int64 {
	switch s := r.(type) {
	case interface{ Len() int }: // bytes.Reader, bytes.Buffer, strings.Reader
		return int64(s.Len())
	case interface {
		io.Seeker
		Stat() (fs.FileInfo, error)
	}: // *os.File
		fi, err := s.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return -1
		}
		off, err := s.Seek(0, io.SeekCurrent)
		if err != nil || off > fi.Size() {
			return -1
		}
		return fi.Size() - off
	}
	return -1
}

// full fills b from the file.
func (ld *loader) full(b []byte) error {
	n, err := io.ReadFull(ld.src, b)
	if ld.left >= 0 {
		ld.left -= int64(n)
	}
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return errTruncated
	case err != nil:
		return fmt.Errorf("%w: reading: %w", ErrModelFile, err)
	}
	return nil
}

func (ld *loader) u32() (uint32, error) {
	var b [4]byte
	if err := ld.full(b[:]); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b[:]), nil
}

// blob reads a length-prefixed blob into a buffer of its own. A length
// larger than maxBlob, or than what the source holds, is an error before
// anything is allocated. When the source's size is unknown, a blob above
// 16 MiB gets a buffer that grows as its bytes arrive, so a corrupt length
// costs at most 16 MiB or twice what the file really holds.
func (ld *loader) blob() ([]byte, error) {
	n, err := ld.u32()
	if err != nil {
		return nil, err
	}
	if err := ld.fits(n); err != nil {
		return nil, err
	}
	const step = 16 << 20
	if ld.left >= 0 || n <= step {
		b := make([]byte, n)
		return b, ld.full(b)
	}
	b := make([]byte, 0, step)
	for len(b) < int(n) {
		if len(b) == cap(b) {
			b = slices.Grow(b, min(int(n)-len(b), len(b)))
		}
		k := min(cap(b), int(n))
		if err := ld.full(b[len(b):k]); err != nil {
			return nil, err
		}
		b = b[:k]
	}
	return b, nil
}

// skip reads past a blob that nothing refers to, without keeping it.
func (ld *loader) skip() error {
	n, err := ld.u32()
	if err != nil {
		return err
	}
	if err := ld.fits(n); err != nil {
		return err
	}
	k, err := io.CopyN(io.Discard, ld.src, int64(n))
	if ld.left >= 0 {
		ld.left -= k
	}
	if err == io.EOF {
		return errTruncated
	}
	if err != nil {
		return fmt.Errorf("%w: reading: %w", ErrModelFile, err)
	}
	return nil
}

// fits checks a blob length against maxBlob and the bytes left.
func (ld *loader) fits(n uint32) error {
	if n > maxBlob {
		return fmt.Errorf("%w: a blob of %d bytes (at most %d)", ErrModelFile, n, maxBlob)
	}
	if ld.left >= 0 && int64(n) > ld.left {
		return fmt.Errorf("%w: a blob of %d bytes with %d left (truncated)", ErrModelFile, n, ld.left)
	}
	return nil
}

// blobUse is where a blob goes once decoded: model i of member m.
type blobUse struct{ m, i int }

// predictor reads the manifest and the blobs after the version and decodes
// them as they arrive; the checksum is still to be read and checked.
func (ld *loader) predictor(reg *models.Registry) (*Predictor, error) {
	js, err := ld.blob()
	if err != nil {
		return nil, err
	}
	var man fileManifest
	if err := json.Unmarshal(js, &man); err != nil {
		return nil, fmt.Errorf("%w: manifest: %w", ErrModelFile, err)
	}
	nblobs, err := ld.u32()
	if err != nil {
		return nil, err
	}
	if ld.left >= 0 && uint64(nblobs) > uint64(ld.left/4+1) {
		return nil, fmt.Errorf("%w: %d blobs cannot fit in %d bytes", ErrModelFile, nblobs, ld.left)
	}
	if err := man.check(int(min(nblobs, math.MaxInt32))); err != nil {
		return nil, err
	}
	p := &Predictor{
		target: man.Target, task: man.Task, classes: man.Classes, metric: man.Metric,
		threshold: man.Threshold, temperature: man.Temperature, columns: man.Columns,
	}
	// Resolve every model before reading its bytes, and note which blob
	// goes where.
	specs := make([]models.Spec, len(man.Members))
	uses := make(map[int][]blobUse)
	for mi, fm := range man.Members {
		spec, err := reg.Spec(fm.Model)
		if fm.Model == baselineModel {
			spec, err = baselineSpec(reg), nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrModelFile, err)
		}
		specs[mi] = spec
		p.members = append(p.members, member{
			name: fm.Model, params: fm.Params, input: fm.Input, weight: fm.Weight,
			models: make([]models.Model, len(fm.Blobs)), temp: fm.Temperature,
		})
		for i, b := range fm.Blobs {
			uses[b] = append(uses[b], blobUse{mi, i})
		}
	}
	for bi := 0; bi < int(nblobs); bi++ {
		if bi > 0 && bi != man.StackerBlob && len(uses[bi]) == 0 {
			if err := ld.skip(); err != nil {
				return nil, err
			}
			continue
		}
		b, err := ld.blob()
		if err != nil {
			return nil, err
		}
		if bi == 0 {
			p.pipe = new(preprocess.Pipeline)
			if err := p.pipe.UnmarshalBinary(b); err != nil {
				return nil, fmt.Errorf("%w: pipeline: %w", ErrModelFile, err)
			}
			continue
		}
		if bi == man.StackerBlob {
			p.stacker = new(ensemble.Stacker)
			if err := p.stacker.UnmarshalBinary(b); err != nil {
				return nil, fmt.Errorf("%w: stacker: %w", ErrModelFile, err)
			}
			p.stackX, p.stackInput = man.StackX, man.StackInput
		}
		for _, u := range uses[bi] {
			fm := man.Members[u.m]
			mod, err := specs[u.m].New(fm.Params)
			if err != nil {
				return nil, fmt.Errorf("%w: model %s: %w", ErrModelFile, fm.Model, err)
			}
			um, ok := mod.(encoding.BinaryUnmarshaler)
			if !ok {
				return nil, fmt.Errorf("%w: model %s cannot be loaded: it does not implement encoding.BinaryUnmarshaler", ErrModelFile, fm.Model)
			}
			if err := um.UnmarshalBinary(b); err != nil {
				return nil, fmt.Errorf("%w: model %s: %w", ErrModelFile, fm.Model, err)
			}
			p.members[u.m].models[u.i] = mod
		}
	}
	return p, nil
}

// tail reads the rest of the file: everything but its last 4 bytes goes
// into the checksum and is stray (the last blob should end right before
// the checksum); the last 4 bytes are the stored checksum.
func (ld *loader) tail() (stray int64, stored uint32, err error) {
	buf := make([]byte, 32<<10)
	var pend []byte
	for {
		n, rerr := ld.in.Read(buf)
		pend = append(pend, buf[:n]...)
		if k := len(pend) - 4; k > 0 {
			ld.sum.Write(pend[:k])
			stray += int64(k)
			pend = append(pend[:0], pend[k:]...)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return 0, 0, fmt.Errorf("%w: reading: %w", ErrModelFile, rerr)
		}
	}
	if len(pend) < 4 {
		return 0, 0, fmt.Errorf("%w: no checksum (truncated)", ErrModelFile)
	}
	return stray, binary.LittleEndian.Uint32(pend), nil
}

var errChecksum = fmt.Errorf("%w: checksum mismatch (the file is truncated or corrupt)", ErrModelFile)

// end checks what follows the last blob: the checksum, and nothing else.
func (ld *loader) end() error {
	stray, stored, err := ld.tail()
	if err != nil {
		return err
	}
	if ld.sum.Sum32() != stored {
		return errChecksum
	}
	if stray > 0 {
		return fmt.Errorf("%w: %d stray bytes after the last blob", ErrModelFile, stray)
	}
	return nil
}

// fail returns the error to report for err, met while decoding: if the
// rest of the file can be read and its checksum does not match, the file
// is corrupt and the checksum error says so better than err.
func (ld *loader) fail(err error) error {
	if errors.Is(err, errTruncated) {
		return err
	}
	if _, stored, terr := ld.tail(); terr == nil && ld.sum.Sum32() != stored {
		return errChecksum
	}
	return err
}

// check validates the manifest against the blobs it refers to.
func (m *fileManifest) check(nblobs int) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: manifest: %s", ErrModelFile, fmt.Sprintf(format, a...))
	}
	if m.Version != fileVersion {
		return bad("version %d", m.Version)
	}
	if nblobs < 1 {
		return bad("no pipeline")
	}
	switch m.Task {
	case dataset.TaskRegression:
		if len(m.Classes) != 0 {
			return bad("a regression predictor with classes")
		}
	case dataset.TaskBinary, dataset.TaskMulticlass:
		if len(m.Classes) < 2 {
			return bad("%d classes", len(m.Classes))
		}
	default:
		return bad("unknown task %q", m.Task)
	}
	if len(m.Members) == 0 {
		return bad("no model")
	}
	if !(m.Threshold >= 0 && m.Threshold < 1) || !(m.Temperature >= 0) || math.IsInf(m.Temperature, 0) {
		return bad("threshold %v, temperature %v", m.Threshold, m.Temperature)
	}
	var total float64
	for _, fm := range m.Members {
		if len(fm.Blobs) == 0 {
			return bad("member %s has no model", fm.Model)
		}
		if fm.Input != models.InputNative && fm.Input != models.InputDense {
			return bad("member %s: input %d", fm.Model, fm.Input)
		}
		if !(fm.Weight > 0) || math.IsInf(fm.Weight, 0) {
			return bad("member %s: weight %v", fm.Model, fm.Weight)
		}
		if !(fm.Temperature >= 0) || math.IsInf(fm.Temperature, 0) {
			return bad("member %s: temperature %v", fm.Model, fm.Temperature)
		}
		total += fm.Weight
		for _, b := range fm.Blobs {
			if b < 1 || b >= nblobs {
				return bad("member %s: blob %d of %d", fm.Model, b, nblobs)
			}
		}
	}
	if math.IsInf(total, 0) {
		return bad("weights overflow")
	}
	if m.StackerBlob < 0 || m.StackerBlob >= nblobs {
		return bad("stacker blob %d of %d", m.StackerBlob, nblobs)
	}
	if m.StackInput != models.InputNative && m.StackInput != models.InputDense {
		return bad("stacker input %d", m.StackInput)
	}
	return nil
}
