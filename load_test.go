package automl

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/models"
)

// bigPredictor returns a predictor whose one member holds four kNN models
// of rows x 8 training values each (about 6.4 MB of bytes per model at
// 100,000 rows), built without a search: a small fit gives the pipeline,
// then its member's models are replaced.
func bigPredictor(t *testing.T, rows int) *Predictor {
	t.Helper()
	var b strings.Builder
	b.WriteString("x1,x2,x3,x4,x5,x6,x7,x8,y\n")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 60 {
		for range 8 {
			fmt.Fprintf(&b, "%.3f,", rng.NormFloat64())
		}
		fmt.Fprintf(&b, "%.3f\n", rng.NormFloat64())
	}
	f, err := dataset.ReadCSV(t.Context(), strings.NewReader(b.String()), dataset.CSVOptions{})
	require.NoError(t, err)
	defer f.Release()
	res, err := New(Options{MaxTrials: 1, Seed: 1, Include: []string{"knn"}, Folds: 2, Repeats: 1}).Fit(t.Context(), f, "y")
	require.NoError(t, err)
	p := res.Predictor

	spec, err := models.Default().Spec("knn")
	require.NoError(t, err)
	m := member{name: "knn", params: models.Params{"max_train_rows": rows}, input: models.InputDense, weight: 1}
	for fold := range 4 {
		d := &models.Data{X: make([][]float64, 8), Y: make([]float64, rows)}
		for j := range d.X {
			d.X[j] = make([]float64, rows)
			for i := range d.X[j] {
				d.X[j][i] = rng.NormFloat64()
			}
		}
		for i := range d.Y {
			d.Y[i] = rng.NormFloat64() + float64(fold)
		}
		mod, err := spec.New(m.params)
		require.NoError(t, err)
		require.NoError(t, mod.Fit(context.Background(), d))
		m.models = append(m.models, mod)
	}
	p.members = []member{m}
	p.stacker = nil
	return p
}

// sizeless hides a reader's Len, as a network stream or a decompressor
// would.
type sizeless struct{ r io.Reader }

func (s sizeless) Read(b []byte) (int, error) { return s.r.Read(b) }

// TestLoadStreams checks that Load does not hold the whole file: what it
// allocates is about one copy of the file's bytes (each blob read into a
// buffer of its own) plus the decoded models. Reading the whole file first
// costs at least one more copy of the file, and several as the buffer
// grows. TotalAlloc counts every allocation, so the figure does not depend
// on when the collector runs.
func TestLoadStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and loads a 26 MB predictor")
	}
	p := bigPredictor(t, 100_000)
	var buf bytes.Buffer
	require.NoError(t, p.Save(&buf))
	file := buf.Bytes()
	size := float64(len(file))
	require.Greater(t, size, 25e6)

	// A real file, read from an offset, as the CLI and the server read it.
	path := filepath.Join(t.TempDir(), "big.model")
	require.NoError(t, os.WriteFile(path, append([]byte("head"), file...), 0o644))

	for _, c := range []struct {
		name string
		r    func() io.Reader
	}{
		{"sized reader", func() io.Reader { return bytes.NewReader(file) }},
		{"stream", func() io.Reader { return sizeless{bytes.NewReader(file)} }},
		{"file", func() io.Reader {
			f, err := os.Open(path)
			require.NoError(t, err)
			t.Cleanup(func() { f.Close() })
			_, err = f.Seek(4, io.SeekStart)
			require.NoError(t, err)
			return f
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := c.r()
			var before, after, held runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			back, err := Load(r)
			runtime.ReadMemStats(&after)
			runtime.GC()
			runtime.ReadMemStats(&held)
			require.NoError(t, err)
			alloc := float64(after.TotalAlloc - before.TotalAlloc)
			kept := float64(held.HeapAlloc) - float64(before.HeapAlloc)
			t.Logf("file %.1f MB, Load allocated %.1f MB, the loaded predictor holds %.1f MB", size/1e6, alloc/1e6, kept/1e6)
			// The models keep about the file's bytes (plus row norms).
			assert.Greater(t, kept, 0.9*size)
			// One copy of the file plus the models, with 10% to spare.
			assert.Less(t, alloc, 1.1*size+kept, "Load allocated %.1f MB for a %.1f MB file", alloc/1e6, size/1e6)

			// And it is the same predictor.
			var again bytes.Buffer
			require.NoError(t, back.Save(&again))
			assert.True(t, bytes.Equal(file, again.Bytes()), "a loaded predictor saves to the same bytes")
			runtime.KeepAlive(back)
		})
	}
}

// TestLoadErrors covers the stream's own failure paths: the checksum is
// checked after every blob decoded, stray bytes after the last blob and
// truncation anywhere are errors wrapping ErrModelFile, and a corrupt blob
// in a file whose checksum no longer matches reports the checksum.
func TestLoadErrors(t *testing.T) {
	p := bigPredictor(t, 300)
	var buf bytes.Buffer
	require.NoError(t, p.Save(&buf))
	good := buf.Bytes()
	_, err := Load(bytes.NewReader(good))
	require.NoError(t, err)

	// withSum appends the checksum of body.
	withSum := func(body []byte) []byte {
		return binary.LittleEndian.AppendUint32(bytes.Clone(body), crc32.ChecksumIEEE(body))
	}
	// withBlob adds a blob of the given length (and no bytes) at the end.
	withBlob := func(body []byte, n uint32) []byte {
		b := bytes.Clone(body)
		at := len(fileMagic) + 8 + int(binary.LittleEndian.Uint32(b[len(fileMagic)+4:]))
		binary.LittleEndian.PutUint32(b[at:], binary.LittleEndian.Uint32(b[at:])+1)
		return withSum(binary.LittleEndian.AppendUint32(b, n))
	}
	body := good[:len(good)-4]
	last := len(body) - 10 // inside the last model's training values
	flipped := bytes.Clone(good)
	flipped[last] ^= 0x01

	for _, c := range []struct {
		name, want string
		data       []byte
	}{
		// Every blob decodes (a flipped bit in a float), only the
		// checksum knows.
		{"checksum only", "checksum mismatch", flipped},
		{"stray bytes", "4 stray bytes", withSum(append(bytes.Clone(body), 1, 2, 3, 4))},
		{"no checksum", "truncated", body[:len(body)-2]},
		{"cut in a blob", "truncated", good[:len(good)/2]},
		{"cut in the header", "truncated", good[:10]},
		{"version", "format version 2", func() []byte { b := bytes.Clone(good); b[8] = 2; return b }()},
		{"corrupt manifest, checksum fixed", "manifest", withSum(bytes.Replace(bytes.Clone(body), []byte(`"task"`), []byte(`"tusk"`), 1))},
		{"corrupt manifest", "checksum mismatch", bytes.Replace(bytes.Clone(good), []byte(`"task"`), []byte(`"tusk"`), 1)},
		{"blob past the end", "truncated", withBlob(body, 1<<31-1)},
		{"blob over maxBlob", "at most", withBlob(body, 1<<32-1)},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, r := range []io.Reader{bytes.NewReader(c.data), sizeless{bytes.NewReader(c.data)}} {
				got, err := Load(r)
				require.ErrorIs(t, err, ErrModelFile)
				assert.Contains(t, err.Error(), c.want)
				assert.Nil(t, got)
			}
		})
	}
}

// TestSizeLeft checks the size hint that lets a corrupt length fail before
// it is allocated: what a reader still holds, or -1.
func TestSizeLeft(t *testing.T) {
	br := bytes.NewReader(make([]byte, 10))
	_, err := br.Read(make([]byte, 3))
	require.NoError(t, err)
	assert.Equal(t, int64(7), sizeLeft(br))
	assert.Equal(t, int64(-1), sizeLeft(sizeless{br}))

	path := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(path, make([]byte, 100), 0o644))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	_, err = f.Seek(40, io.SeekStart)
	require.NoError(t, err)
	assert.Equal(t, int64(60), sizeLeft(f))

	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	defer pr.Close()
	defer pw.Close()
	assert.Equal(t, int64(-1), sizeLeft(pr), "a pipe's size is unknown")
}
