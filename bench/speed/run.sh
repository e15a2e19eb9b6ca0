#!/bin/sh
# Speed benchmark, run from the repository root:
#
#   sh bench/speed/run.sh        # REPEATS=5 MC_ROUNDS=50 TASKS=cls,reg MEM=1 by default
#
# 1. the kit's gbdt_speed.py writes the cls/reg CSVs once (KIT, default
#    ../shared/bench/speed/gbdt_speed.py relative to the repository root),
# 2. xgb_bench.py times XGBoost (2 threads): fit = DMatrix + xgb.train, with
#    process CPU seconds, best of REPEATS; it also writes the 10-class shape,
# 3. gbdtbench times models/gbdt with the same settings (GOMAXPROCS=2):
#    fit = NewBinned + Fit, with process CPU seconds, best of REPEATS,
# then compare.py prints ours / XGBoost ratios from this same run.
# With MEM=1, 4. one more cls run of each side (1 repeat) under
# /usr/bin/time -v for the peak resident set size (whole process: reading the
# CSV, binning or DMatrix, training, predicting).
# Data and results go to $OUT (default bench/speed/out, git-ignored).
# XGBoost keeps OpenMP's default wait policy (spin, then sleep), as the kit
# does, since our worker pool also spins between loops (internal/par); set
# OMP_PASSIVE=1 for OMP_WAIT_POLICY=PASSIVE when the machine is busy.
set -eu
OUT=${OUT:-bench/speed/out}
REPEATS=${REPEATS:-5}
MC_ROUNDS=${MC_ROUNDS:-50}
MEM=${MEM:-1}
TASKS=${TASKS:-cls,reg}
KIT=${KIT:-../shared/bench/speed/gbdt_speed.py}
HERE=$(dirname "$0")
mkdir -p "$OUT"
export OMP_NUM_THREADS=2
if [ "${OMP_PASSIVE:-0}" = 1 ]; then
	export OMP_WAIT_POLICY=PASSIVE
fi
go build -o "$OUT/gbdtbench" ./bench/speed/gbdtbench
if [ ! -f "$OUT/cls_train.csv" ] || [ ! -f "$OUT/reg_train.csv" ]; then
	/usr/bin/python3 "$KIT" --out "$OUT" --repeats 1 --threads 2 --models xgboost >/dev/null
fi
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 "$HERE/xgb_bench.py" --out "$OUT" --repeats "$REPEATS" --threads 2 --tasks "$TASKS" >"$OUT/xgb.json"
GOMAXPROCS=2 "$OUT/gbdtbench" -data "$OUT" -tasks "$TASKS" -repeats "$REPEATS" -threads 2 >"$OUT/go.json"
if [ "$MC_ROUNDS" -gt 0 ]; then
	/usr/bin/python3 "$HERE/xgb_bench.py" --out "$OUT" --repeats "$REPEATS" --threads 2 --tasks mc \
		--rounds "$MC_ROUNDS" >>"$OUT/xgb.json"
	GOMAXPROCS=2 "$OUT/gbdtbench" -data "$OUT" -tasks mc -rounds "$MC_ROUNDS" -repeats "$REPEATS" -threads 2 >>"$OUT/go.json"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 "$HERE/compare.py" "$OUT"
if [ "$MEM" = 1 ]; then
	/usr/bin/time -v /usr/bin/python3 "$HERE/xgb_bench.py" --out "$OUT" --repeats 1 --threads 2 --tasks cls \
		>/dev/null 2>"$OUT/xgb.time"
	GOMAXPROCS=2 /usr/bin/time -v "$OUT/gbdtbench" -data "$OUT" -tasks cls -repeats 1 -threads 2 \
		>/dev/null 2>"$OUT/go.time"
	x=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/xgb.time")
	g=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/go.time")
	echo "peak RSS cls (MB) xgb / ours = ratio: $((x / 1024)) / $((g / 1024)) = $(echo "$g $x" | awk '{printf "%.2f", $1/$2}')"
fi
