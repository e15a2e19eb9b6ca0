// Command read measures how fast dataset.ReadFile reads big tables, and
// its peak memory.
//
//	go run ./bench/read                          # 1,000,000 x 20 numeric CSV, generated
//	go run ./bench/read -rows 200000 -mixed      # mixed types: ints, bool, date, category, quoted text
//	go run ./bench/read -format parquet          # the same table written as Parquet (or arrow)
//	go run ./bench/read -runs 5 path/to/big.csv  # existing files
//	go run ./bench/read -bar                     # also time a bare encoding/csv pass (the bar)
//
// With no path, it writes a synthetic table to a temporary directory (20
// float columns of 6-8 significant digits by default: the size and shape
// of issue 8's make_friedman1 table, about 190 MB as CSV), then runs
// itself on that file in a child process, so that the peak resident
// memory it reports (VmHWM of /proc/self/status, Linux only) is that of
// reading alone. Each run reads the file once with dataset.ReadFile; it
// prints the median MB/s (file bytes per second) over -runs, the rows and
// columns, the column types, and peak RSS as MB and as a multiple of the
// file size.
package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/automl-agent/automl/dataset"
)

func main() {
	rows := flag.Int("rows", 1_000_000, "rows of the synthetic table (when no path is given)")
	cols := flag.Int("cols", 20, "float columns of the synthetic table")
	mixed := flag.Bool("mixed", false, "synthetic table of mixed types instead of floats only")
	format := flag.String("format", "csv", "format of the synthetic table: csv, parquet or arrow")
	runs := flag.Int("runs", 3, "reads per file; the median MB/s is printed")
	keep := flag.String("keep", "", "write the synthetic table to this path and keep it")
	bar := flag.Bool("bar", false, "also time a single-threaded encoding/csv pass over each CSV file (records reused, nothing parsed): the bar to beat")
	flag.Parse()
	if err := run(flag.Args(), *rows, *cols, *mixed, *format, *runs, *keep, *bar); err != nil {
		fmt.Fprintln(os.Stderr, "read:", err)
		os.Exit(1)
	}
}

func run(paths []string, rows, cols int, mixed bool, format string, runs int, keep string, bar bool) error {
	if len(paths) > 0 {
		for _, p := range paths {
			if err := measure(p, runs); err != nil {
				return err
			}
			if bar && strings.HasSuffix(strings.ToLower(p), ".csv") {
				if err := measureBar(p, runs); err != nil {
					return err
				}
			}
		}
		return nil
	}
	path := keep
	if path == "" {
		dir, err := os.MkdirTemp("", "automl-read-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "synthetic."+format)
	}
	start := time.Now()
	if err := writeSynthetic(path, rows, cols, mixed, format); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s in %.1fs\n", path, time.Since(start).Seconds())
	// Read in a child process, so its peak RSS is that of reading only.
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(self, "-runs", strconv.Itoa(runs), "-bar="+strconv.FormatBool(bar), path)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

// measure reads path runs times and prints the median speed and the
// process's peak RSS.
func measure(path string, runs int) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	size := float64(st.Size())
	var speeds []float64
	var shape string
	for range max(runs, 1) {
		start := time.Now()
		f, err := dataset.ReadFile(context.Background(), path)
		if err != nil {
			return err
		}
		secs := time.Since(start).Seconds()
		speeds = append(speeds, size/1e6/secs)
		shape = fmt.Sprintf("%d x %d (%s)", f.NumRows(), f.NumCols(), typeCounts(f))
		f.Release()
		runtime.GC()
	}
	slices.Sort(speeds)
	hwm := peakRSS()
	fmt.Printf("%s: %.1f MB, %s\n", filepath.Base(path), size/1e6, shape)
	fmt.Printf("  read: median %.1f MB/s over %d runs (min %.1f, max %.1f), GOMAXPROCS %d\n",
		speeds[len(speeds)/2], len(speeds), speeds[0], speeds[len(speeds)-1], runtime.GOMAXPROCS(0))
	if hwm > 0 {
		fmt.Printf("  peak RSS: %.0f MB (%.2fx the file)\n", hwm/1e6, hwm/size)
	}
	return nil
}

// measureBar times single-threaded encoding/csv passes over path (read
// whole first, as ReadFile's cost includes reading the file).
func measureBar(path string, runs int) error {
	var speeds []float64
	for range max(runs, 1) {
		start := time.Now()
		fh, err := os.Open(path)
		if err != nil {
			return err
		}
		cr := csv.NewReader(bufio.NewReaderSize(fh, 1<<20))
		cr.ReuseRecord = true
		n := 0
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				fh.Close()
				return err
			}
			n += len(rec)
		}
		fh.Close()
		st, _ := os.Stat(path)
		speeds = append(speeds, float64(st.Size())/1e6/time.Since(start).Seconds())
	}
	slices.Sort(speeds)
	fmt.Printf("  bar (encoding/csv, 1 thread): median %.1f MB/s over %d runs (min %.1f, max %.1f)\n",
		speeds[len(speeds)/2], len(speeds), speeds[0], speeds[len(speeds)-1])
	return nil
}

// typeCounts summarises the column types of f, such as "20 float64".
func typeCounts(f *dataset.Frame) string {
	counts := map[string]int{}
	var order []string
	for j := range f.NumCols() {
		t := f.Column(j).DataType().String()
		if counts[t] == 0 {
			order = append(order, t)
		}
		counts[t]++
	}
	parts := make([]string, len(order))
	for i, t := range order {
		parts[i] = fmt.Sprintf("%d %s", counts[t], t)
	}
	return strings.Join(parts, ", ")
}

// peakRSS returns VmHWM from /proc/self/status in bytes, or 0.
func peakRSS() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err == nil {
				return kb * 1024
			}
		}
	}
	return 0
}

// writeSynthetic writes the synthetic table: cols float columns
// (uniform on [-5, 5], 6-8 significant digits) and a normal target y; with
// mixed, also 4 integer columns (0-999), a bool, a date, a 20-level
// category and a quoted free-text column with a comma.
func writeSynthetic(path string, rows, cols int, mixed bool, format string) error {
	switch format {
	case "csv":
	case "parquet", "arrow":
		// Write CSV, read it, write the frame in the wanted format.
		tmp := path + ".csv"
		if err := writeSynthetic(tmp, rows, cols, mixed, "csv"); err != nil {
			return err
		}
		defer os.Remove(tmp)
		f, err := dataset.ReadFile(context.Background(), tmp)
		if err != nil {
			return err
		}
		defer f.Release()
		return writeBinary(path, f, format)
	default:
		return fmt.Errorf("unknown format %q (want csv, parquet or arrow)", format)
	}
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(fh, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for j := range cols {
		fmt.Fprintf(w, "x%d,", j)
	}
	if mixed {
		w.WriteString("n0,n1,n2,n3,flag,day,cat,note,")
	}
	w.WriteString("y\n")
	buf := make([]byte, 0, 64)
	for range rows {
		for range cols {
			buf = strconv.AppendFloat(buf[:0], rng.Float64()*10-5, 'g', 6+rng.IntN(3), 64)
			buf = append(buf, ',')
			w.Write(buf)
		}
		if mixed {
			for range 4 {
				buf = strconv.AppendInt(buf[:0], int64(rng.IntN(1000)), 10)
				buf = append(buf, ',')
				w.Write(buf)
			}
			fmt.Fprintf(w, "%t,2024-%02d-%02d,level%d,\"note %d, with a comma\",", rng.IntN(2) == 0,
				1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(20), rng.IntN(100000))
		}
		buf = strconv.AppendFloat(buf[:0], rng.NormFloat64(), 'g', 8, 64)
		buf = append(buf, '\n')
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

func writeBinary(path string, f *dataset.Frame, format string) error {
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	if format == "parquet" {
		tbl := array.NewTableFromRecords(f.Schema(), []arrow.RecordBatch{f.Record()})
		defer tbl.Release()
		// WriteTable closes fh.
		return pqarrow.WriteTable(tbl, fh, 128<<10, parquet.NewWriterProperties(), pqarrow.DefaultWriterProps())
	}
	w, err := ipc.NewFileWriter(fh, ipc.WithSchema(f.Schema()))
	if err != nil {
		fh.Close()
		return err
	}
	if err := w.Write(f.Record()); err != nil {
		fh.Close()
		return err
	}
	if err := w.Close(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}
