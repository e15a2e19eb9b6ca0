#!/bin/sh
# Speed benchmark, run from the repository root:
#
#   sh bench/speed/run.sh        # REPEATS=3 MC_ROUNDS=50 TASKS=cls,reg by default
#
# 1. the kit's gbdt_speed.py (XGBoost, 2 threads; writes the cls/reg CSVs),
# 2. xgb_bench.py (XGBoost again, with CPU seconds, plus the 10-class shape),
# 3. gbdtbench (models/gbdt with the same settings, GOMAXPROCS=2),
# then compare.py prints ours / XGBoost ratios from this same run.
# Data and results go to $OUT (default /tmp/automl-bench/speed); never commit them.
set -eu
OUT=${OUT:-/tmp/automl-bench/speed}
REPEATS=${REPEATS:-3}
MC_ROUNDS=${MC_ROUNDS:-50}
TASKS=${TASKS:-cls,reg}
KIT=${KIT:-/work/shared/bench/speed/gbdt_speed.py}
HERE=$(dirname "$0")
mkdir -p "$OUT"
export OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE
go build -o "$OUT/gbdtbench" ./bench/speed/gbdtbench
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 "$KIT" --out "$OUT" --repeats "$REPEATS" --threads 2 --models xgboost \
	--json "$OUT/kit.json" --md "$OUT/kit.md" >/dev/null
/usr/bin/python3 "$HERE/xgb_bench.py" --out "$OUT" --repeats "$REPEATS" --threads 2 --tasks "$TASKS" >"$OUT/xgb.json"
GOMAXPROCS=2 "$OUT/gbdtbench" -data "$OUT" -tasks "$TASKS" -repeats "$REPEATS" -threads 2 >"$OUT/go.json"
if [ "$MC_ROUNDS" -gt 0 ]; then
	/usr/bin/python3 "$HERE/xgb_bench.py" --out "$OUT" --repeats "$REPEATS" --threads 2 --tasks mc \
		--rounds "$MC_ROUNDS" >>"$OUT/xgb.json"
	GOMAXPROCS=2 "$OUT/gbdtbench" -data "$OUT" -tasks mc -rounds "$MC_ROUNDS" -repeats "$REPEATS" -threads 2 >>"$OUT/go.json"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 "$HERE/compare.py" "$OUT"
