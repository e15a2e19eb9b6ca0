package automl

import (
	"bufio"
	"encoding"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"runtime/debug"

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
	Blobs  []int         `json:"blobs"` // indices of the fitted models' bytes
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
		fm := fileMember{Model: m.name, Params: m.params, Input: m.input, Weight: m.weight}
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
func LoadWith(r io.Reader, reg *models.Registry) (p *Predictor, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			p, err = nil, fmt.Errorf("%w: %v\n%s", ErrModelFile, rec, trimStack(debug.Stack()))
		}
	}()
	if reg == nil {
		reg = models.Default()
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%w: reading: %w", ErrModelFile, err)
	}
	if len(data) < len(fileMagic)+8 || string(data[:len(fileMagic)]) != fileMagic {
		return nil, fmt.Errorf("%w: not a predictor file (no %q header)", ErrModelFile, fileMagic)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	rd := &reader{b: body[len(fileMagic):]}
	version := rd.u32()
	if rd.err == nil && version != fileVersion {
		return nil, fmt.Errorf("%w: format version %d, this library reads version %d", ErrModelFile, version, fileVersion)
	}
	if crc32.ChecksumIEEE(body) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch (the file is truncated or corrupt)", ErrModelFile)
	}
	js := rd.bytes()
	nblobs := rd.u32()
	if rd.err == nil && uint64(nblobs) > uint64(len(rd.b)/4+1) {
		return nil, fmt.Errorf("%w: %d blobs cannot fit in %d bytes", ErrModelFile, nblobs, len(rd.b))
	}
	var blobs [][]byte
	for i := uint32(0); i < nblobs && rd.err == nil; i++ {
		blobs = append(blobs, rd.bytes())
	}
	if rd.err != nil {
		return nil, rd.err
	}
	if len(rd.b) != 0 {
		return nil, fmt.Errorf("%w: %d stray bytes after the last blob", ErrModelFile, len(rd.b))
	}
	var man fileManifest
	if err := json.Unmarshal(js, &man); err != nil {
		return nil, fmt.Errorf("%w: manifest: %w", ErrModelFile, err)
	}
	if err := man.check(len(blobs)); err != nil {
		return nil, err
	}
	pipe := new(preprocess.Pipeline)
	if err := pipe.UnmarshalBinary(blobs[0]); err != nil {
		return nil, fmt.Errorf("%w: pipeline: %w", ErrModelFile, err)
	}
	p = &Predictor{
		target: man.Target, task: man.Task, classes: man.Classes, metric: man.Metric,
		pipe: pipe, threshold: man.Threshold, temperature: man.Temperature, columns: man.Columns,
	}
	if man.StackerBlob > 0 {
		p.stacker = new(ensemble.Stacker)
		if err := p.stacker.UnmarshalBinary(blobs[man.StackerBlob]); err != nil {
			return nil, fmt.Errorf("%w: stacker: %w", ErrModelFile, err)
		}
		p.stackX, p.stackInput = man.StackX, man.StackInput
	}
	for _, fm := range man.Members {
		spec, err := reg.Spec(fm.Model)
		if fm.Model == baselineModel {
			spec, err = baselineSpec(reg), nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrModelFile, err)
		}
		m := member{name: fm.Model, params: fm.Params, input: fm.Input, weight: fm.Weight}
		for _, bi := range fm.Blobs {
			mod, err := spec.New(fm.Params)
			if err != nil {
				return nil, fmt.Errorf("%w: model %s: %w", ErrModelFile, fm.Model, err)
			}
			um, ok := mod.(encoding.BinaryUnmarshaler)
			if !ok {
				return nil, fmt.Errorf("%w: model %s cannot be loaded: it does not implement encoding.BinaryUnmarshaler", ErrModelFile, fm.Model)
			}
			if err := um.UnmarshalBinary(blobs[bi]); err != nil {
				return nil, fmt.Errorf("%w: model %s: %w", ErrModelFile, fm.Model, err)
			}
			m.models = append(m.models, mod)
		}
		p.members = append(p.members, m)
	}
	return p, nil
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

// reader decodes the file's little-endian framing, remembering the first
// error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) u32() uint32 {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 4 {
		r.err = fmt.Errorf("%w: truncated", ErrModelFile)
		return 0
	}
	v := binary.LittleEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v
}

func (r *reader) bytes() []byte {
	n := r.u32()
	if r.err != nil {
		return nil
	}
	if uint64(n) > uint64(len(r.b)) {
		r.err = fmt.Errorf("%w: a blob of %d bytes with %d left (truncated)", ErrModelFile, n, len(r.b))
		return nil
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}
