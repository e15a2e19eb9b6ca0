package codec_test

import (
	"errors"
	"fmt"

	"github.com/automl-agent/automl/models/internal/codec"
)

func Example() {
	errBad := errors.New("mymodel: bad model encoding")
	const magic = "automl/mymodel\x00"

	e := codec.NewEncoder(magic, 1)
	e.Int(2)
	e.Floats([]float64{0.25, 0.75})
	b := e.Bytes()

	d, version := codec.NewDecoder(b, magic, errBad)
	k := d.Int("classes", 0, 100)
	probs := d.Floats("probs", k)
	fmt.Println(version, k, probs, d.Finish())

	d, _ = codec.NewDecoder(b[:len(b)-3], magic, errBad)
	d.Floats("probs", d.Int("classes", 0, 100))
	err := d.Finish()
	fmt.Println(err, errors.Is(err, errBad))
	// Output:
	// 1 2 [0.25 0.75] <nil>
	// mymodel: bad model encoding: probs has 2 values, want 2 (13 bytes left) true
}
