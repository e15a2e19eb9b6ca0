// Command gbdtbench times models/gbdt on the speed kit's CSV files (cls and
// reg written by the shared kit's gbdt_speed.py, mc by xgb_bench.py next to
// this directory) with the settings the kit uses for XGBoost, and prints
// one JSON object per task.
//
//	go run ./bench/speed/gbdtbench -data bench/speed/out -tasks cls,reg,mc -repeats 5
//
// -cpuprofile writes a CPU profile of the whole run (go tool pprof -top);
// -trace writes an execution trace of the fits, which shows how long the
// pool's worker waited to run (go tool trace -pprof=sched, or the
// goroutine analysis of go tool trace).
//
// Times (wall seconds): bin_s (quantizing the training rows), train_s
// (boosting on the bins), fit_s (both, timed as one span: what XGBoost's
// DMatrix construction + xgb.train compares with), predict_s
// (probabilities or values for the test rows); fit_cpu_s and train_cpu_s
// are the process's CPU seconds (all threads, GC included) over the same
// spans. Each is the best (least) of -repeats runs; the metric comes from
// the first run (training is deterministic). Early stopping is off (the
// rounds are fixed, as on the XGBoost side).
package main

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/gbdt"
)

// traceFile, when set by -trace, receives an execution trace of the fits.
var traceFile *os.File

func main() {
	dir := flag.String("data", envOr("OUT", "bench/speed/out"), "directory with {cls,reg,mc}_{train,test}.csv (default $OUT or bench/speed/out)")
	tasks := flag.String("tasks", "cls,reg", "comma-separated tasks: cls, reg, mc")
	repeats := flag.Int("repeats", 5, "runs per task (best reported)")
	threads := flag.Int("threads", 2, "GOMAXPROCS and model threads")
	rounds := flag.Int("rounds", 200, "boosting rounds")
	leaves := flag.Int("leaves", 64, "max_leaves")
	depth := flag.Int("depth", 6, "max_depth (0 = unlimited)")
	extra := flag.String("params", "", "extra params as JSON, e.g. '{\"lambda_l2\":0}'")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	traceOut := flag.String("trace", "", "write an execution trace of the fits (not the CSV reading) to this file; see go tool trace -pprof=sched")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gbdtbench:", err)
			os.Exit(1)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "gbdtbench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	runtime.GOMAXPROCS(*threads)
	if *traceOut != "" {
		f, err := os.Create(*traceOut)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gbdtbench:", err)
			os.Exit(1)
		}
		defer f.Close()
		traceFile = f
	}
	for _, task := range strings.Split(*tasks, ",") {
		res, err := run(*dir, task, *repeats, *threads, *rounds, *leaves, *depth, *extra)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gbdtbench:", err)
			pprof.StopCPUProfile()
			os.Exit(1)
		}
		b, _ := json.Marshal(res)
		fmt.Println(string(b))
	}
}

func run(dir, task string, repeats, threads, rounds, leaves, depth int, extra string) (map[string]any, error) {
	Xtr, ytr, err := readCSV(filepath.Join(dir, task+"_train.csv"))
	if err != nil {
		return nil, err
	}
	Xte, yte, err := readCSV(filepath.Join(dir, task+"_test.csv"))
	if err != nil {
		return nil, err
	}
	numClasses := 0
	switch task {
	case "cls":
		numClasses = 2
	case "mc":
		numClasses = int(slices.Max(ytr)) + 1
	}
	p := models.Params{
		"num_rounds": rounds, "learning_rate": 0.1, "max_leaves": leaves, "max_depth": depth,
		"lambda_l2": 1.0, "min_child_weight": 1.0, "min_data_in_leaf": 0, "threads": threads,
		"early_stopping_rounds": 0,
	}
	if extra != "" {
		var q map[string]any
		if err := json.Unmarshal([]byte(extra), &q); err != nil {
			return nil, err
		}
		p = p.Merge(q)
	}
	if traceFile != nil {
		if err := trace.Start(traceFile); err != nil {
			return nil, err
		}
		defer trace.Stop()
	}
	var binS, trainS, fitS, predS, cpuS, fitCPU []float64
	var metric map[string]float64
	trees := 0
	modelHash := "" // of the first fit's encoded model: equal hashes, bit-identical models
	for rep := range repeats {
		runtime.GC()
		c0 := cpuTime()
		t0 := time.Now()
		bins, err := models.NewBinned(Xtr, nil, 255)
		if err != nil {
			return nil, err
		}
		t1 := time.Now()
		c1 := cpuTime()
		m, err := gbdt.New(p)
		if err != nil {
			return nil, err
		}
		d := &models.Data{X: Xtr, Y: ytr, NumClasses: numClasses, Bins: bins}
		if err := m.Fit(context.Background(), d); err != nil {
			return nil, err
		}
		t2 := time.Now()
		c2 := cpuTime()
		cpuS = append(cpuS, c2-c1)
		fitCPU = append(fitCPU, c2-c0)
		fitS = append(fitS, t2.Sub(t0).Seconds())
		out := make([]float64, models.OutputLen(len(yte), numClasses))
		if err := m.Predict(out, Xte); err != nil {
			return nil, err
		}
		t3 := time.Now()
		binS = append(binS, t1.Sub(t0).Seconds())
		trainS = append(trainS, t2.Sub(t1).Seconds())
		predS = append(predS, t3.Sub(t2).Seconds())
		if rep == 0 {
			metric = score(out, yte, numClasses)
			trees = m.NumTrees()
			b, err := m.MarshalBinary()
			if err != nil {
				return nil, err
			}
			modelHash = fmt.Sprintf("%x", sha256.Sum256(b))
		}
	}
	res := map[string]any{
		"task": task, "model": "gbdt-go", "threads": threads, "trees": trees,
		"bin_s": slices.Min(binS), "train_s": slices.Min(trainS), "fit_s": slices.Min(fitS),
		"fit_cpu_s": slices.Min(fitCPU), "predict_s": slices.Min(predS), "fit_s_all": fitS,
		"train_cpu_s": slices.Min(cpuS), "model_sha256": modelHash,
	}
	for k, v := range metric {
		res[k] = v
	}
	return res, nil
}

// envOr returns $name, or def when it is unset or empty.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func score(out, y []float64, numClasses int) map[string]float64 {
	n := len(y)
	switch {
	case numClasses == 0:
		se := 0.0
		for i := range y {
			se += (out[i] - y[i]) * (out[i] - y[i])
		}
		return map[string]float64{"rmse": math.Sqrt(se / float64(n))}
	case numClasses == 2:
		p := make([]float64, n)
		acc := 0
		for i := range y {
			p[i] = out[2*i+1]
			if (p[i] >= 0.5) == (y[i] == 1) {
				acc++
			}
		}
		return map[string]float64{"auc": auc(p, y), "accuracy": float64(acc) / float64(n)}
	default:
		acc, ll := 0, 0.0
		for i := range y {
			row := out[i*numClasses : (i+1)*numClasses]
			best := 0
			for c := range row {
				if row[c] > row[best] {
					best = c
				}
			}
			if best == int(y[i]) {
				acc++
			}
			ll -= math.Log(math.Max(row[int(y[i])], 1e-15))
		}
		return map[string]float64{"accuracy": float64(acc) / float64(n), "log_loss": ll / float64(n)}
	}
}

// auc is the Mann-Whitney AUC with tied scores sharing their mean rank.
func auc(p, y []float64) float64 {
	idx := make([]int, len(p))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case p[a] < p[b]:
			return -1
		case p[a] > p[b]:
			return 1
		}
		return 0
	})
	var rankPos, npos float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && p[idx[j]] == p[idx[i]] {
			j++
		}
		r := float64(i+j+1) / 2 // mean of ranks i+1..j
		for _, k := range idx[i:j] {
			if y[k] == 1 {
				rankPos += r
				npos++
			}
		}
		i = j
	}
	nneg := float64(len(p)) - npos
	return (rankPos - npos*(npos+1)/2) / (npos * nneg)
}

// readCSV reads a header line then numbers; column "y" is the target.
func readCSV(path string) ([][]float64, []float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	yc := slices.Index(head, "y")
	if yc < 0 {
		return nil, nil, fmt.Errorf("%s: no column y", path)
	}
	X := make([][]float64, len(head)-1)
	var y []float64
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		j := 0
		for c, s := range rec {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, nil, fmt.Errorf("%s line %d: %w", path, line, err)
			}
			if c == yc {
				y = append(y, v)
			} else {
				X[j] = append(X[j], v)
				j++
			}
		}
	}
	return X, y, nil
}

// cpuTime returns the process's user+system CPU seconds so far.
func cpuTime() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
