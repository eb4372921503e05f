#!/usr/bin/env bash
# bench_server.sh — the HTTP server under wrk on loopback (bench/README.md,
# "The server under wrk"): purpose-bound subject reads and consent
# withdrawals against a register of N subjects, and libmicrohttpd's static
# answer from the same process (GET /bench/static) as the baseline.
#
#   bench/bench_server.sh BUILD_DIR [options]
#
#   --data DIR        where the register and its id file live (default
#                     $SARGS_BENCH_DATA or /var/tmp/sargs-bench-server);
#                     the register DIR/reg-N is seeded once and reused
#   --n N             subjects (default 1000000)
#   --duration S      seconds of each wrk run (default 15)
#   --threads T       wrk threads (default 2)
#   --connections C   wrk connections of the reported runs (default 64)
#   --try "C1 C2 .."  first run reads and withdrawals at each of these
#                     connection counts (shorter runs, --try-duration) and
#                     print them; the reported runs still use --connections
#   --try-duration S  seconds of each --try run (default 8)
#   --warmup S        seconds of reads before the first measured run
#                     (default 5; not reported)
#   --purpose P       the purpose of the reads (default service)
#   --consent P       the consent withdrawn (default newsletter)
#   --body JSON       body of the withdrawals (default {"channel":"api"};
#                     "" sends none)
#   --cpu LIST        pin the server to these CPUs (taskset), wrk to the
#                     others; default: no pinning (both share the 2 cores)
#   --perf PHASE      record the server with perf during PHASE (read or
#                     withdraw) of the reported runs: DIR/perf-PHASE.data
#
# Builds nothing. Needs BUILD_DIR/sargs and BUILD_DIR/sargs_bench_server_seed
# (cmake --build BUILD_DIR --target sargs_cli sargs_bench_server_seed), wrk,
# and for --perf, perf.
set -euo pipefail

die() { echo "bench_server: $*" >&2; exit 1; }

[ $# -ge 1 ] || die "usage: bench/bench_server.sh BUILD_DIR [options] (see the head of this file)"
BUILD=$(cd "$1" && pwd) || die "no build directory $1"
shift
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)

DATA=${SARGS_BENCH_DATA:-/var/tmp/sargs-bench-server}
N=1000000
DUR=15
THREADS=2
CONNS=64
TRY=""
TRY_DUR=8
WARMUP=5
PURPOSE=service
CONSENT=newsletter
BODY='{"channel":"api"}'
CPU=""
PERF=""
while [ $# -gt 0 ]; do
	case "$1" in
	--data) DATA=$2; shift 2 ;;
	--n) N=$2; shift 2 ;;
	--duration) DUR=$2; shift 2 ;;
	--threads) THREADS=$2; shift 2 ;;
	--connections) CONNS=$2; shift 2 ;;
	--try) TRY=$2; shift 2 ;;
	--try-duration) TRY_DUR=$2; shift 2 ;;
	--warmup) WARMUP=$2; shift 2 ;;
	--purpose) PURPOSE=$2; shift 2 ;;
	--consent) CONSENT=$2; shift 2 ;;
	--body) BODY=$2; shift 2 ;;
	--cpu) CPU=$2; shift 2 ;;
	--perf) PERF=$2; shift 2 ;;
	*) die "unknown option $1" ;;
	esac
done

SARGS=$BUILD/sargs
SEED=$BUILD/sargs_bench_server_seed
[ -x "$SARGS" ] || die "$SARGS missing: cmake --build $BUILD --target sargs_cli"
[ -x "$SEED" ] || die "$SEED missing: cmake --build $BUILD --target sargs_bench_server_seed"
command -v wrk >/dev/null || die "wrk missing (Debian package wrk)"

mkdir -p "$DATA"
DATA=$(cd "$DATA" && pwd)
REG=$DATA/reg-$N
IDS=$DATA/reg-$N.ids
OFFSET_FILE=$DATA/reg-$N.withdrawn   # ids before this line were withdrawn already
LOG=$DATA/serve.log

# ---- the register (seeded once)
if [ ! -f "$IDS" ]; then
	[ ! -e "$REG" ] || die "$REG exists without $IDS (an unfinished seed?): remove it"
	echo "seeding $N subjects into $REG (once; later runs reuse it)" >&2
	"$SEED" --dir "$REG" --ids "$IDS" --registry "$SRC/examples/zimes-purposes.json" --n "$N" \
		--batch 10000
	echo 1 >"$OFFSET_FILE"
fi
[ -f "$OFFSET_FILE" ] || echo 1 >"$OFFSET_FILE"
NIDS=$(wc -l <"$IDS")

# ---- a token for the run
TOKEN=$("$SARGS" --data "$REG" token issue "bench-$(date +%s)-$$" \
	--actions subject.read,consent.write --purposes "$PURPOSE,$CONSENT" 2>/dev/null |
	grep -o 'sgt_[A-Za-z0-9_-]*' | head -1) || true
[ -n "$TOKEN" ] || die "could not issue a token ('sargs token issue')"

# ---- the register in the OS page cache: this VM's memory manager drops
# cold file pages (kdamond), and a register read from the disk page by page
# measured 664 reads/s against 6,601 once cached; a server that has run a
# while has it cached, so each run starts from there (once cached, fast)
cat "$REG"/sargs.db* >/dev/null 2>&1 || true

# ---- the server
PIN_SRV=()
PIN_WRK=()
if [ -n "$CPU" ]; then
	PIN_SRV=(taskset -c "$CPU")
	OTHER=$(seq 0 $(($(nproc) - 1)) | grep -vxF "$(echo "$CPU" | tr ',' '\n')" | paste -sd, -)
	[ -n "$OTHER" ] && PIN_WRK=(taskset -c "$OTHER")
fi
OUT=$(mktemp)
# the daily retention sweep is off: its first run (a minute after start)
# would plan over every purpose link in the middle of the measurement
"${PIN_SRV[@]}" "$SARGS" --data "$REG" serve --listen 127.0.0.1 --port 0 \
	--set sweep_hours=0 >"$OUT" 2>"$LOG" &
SPID=$!
cleanup() {
	kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null || true
	rm -f "$OUT"
}
trap cleanup EXIT
# (a register seeded before the name index gets it at the first start:
# about half a minute at a million subjects)
for _ in $(seq 1 1200); do
	grep -q 'listens on' "$OUT" 2>/dev/null && break
	kill -0 "$SPID" 2>/dev/null || { cat "$LOG" >&2; die "the server did not start"; }
	sleep 0.1
done
URL=$(grep -o 'http://[^ ]*' "$OUT" | head -1)
URL=${URL%/}
[ -n "$URL" ] || die "the server did not say where it listens"
echo "server pid $SPID at $URL; register $REG ($NIDS subjects); log $LOG" >&2

# The group-commit counters of the worker, from /metrics.
metric() { curl -s "$URL/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
# CPU time (user+system, clock ticks) of the server process.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SPID/stat"; }
# CPU time (clock ticks) of this script's finished children: wrk's, read
# right before and after it runs (it shares the cores with the server).
child_ticks() { awk '{print $16 + $17}' "/proc/$$/stat"; }
TCK=$(getconf CLK_TCK)

# run PHASE CONNECTIONS SECONDS: one wrk run; sets R_* from its result line
run() {
	local phase=$1 c=$2 d=$3 script args out first
	case "$phase" in
	read) script=$HERE/wrk_read.lua; args=("$IDS" "$TOKEN" "$PURPOSE") ;;
	withdraw)
		script=$HERE/wrk_withdraw.lua
		first=$(cat "$OFFSET_FILE")
		[ "$first" -lt "$NIDS" ] || die "every subject's consent is withdrawn: seed anew (rm -r $REG $IDS)"
		args=("$IDS" "$TOKEN" "$CONSENT" "$first" "$THREADS" "$BODY") ;;
	static) script=$HERE/wrk_static.lua; args=("$TOKEN") ;;
	esac
	local g0 j0 t0 g1 j1 t1 b0 b1 s0 s1 y0 y1 c0 c1 ppid=""
	g0=$(metric sargs_commit_groups_total)
	j0=$(metric sargs_commit_jobs_total)
	b0=$(metric sargs_commit_busy_seconds_total)
	s0=$(metric sargs_commit_sync_seconds_total)
	y0=$(metric sargs_commit_syncs_total)
	t0=$(cpu_ticks)
	if [ "$PERF" = "$phase" ] && [ "${RECORD:-0}" = 1 ]; then
		perf record ${PERF_OPTS:--g} -o "$DATA/perf-$phase.data" -p "$SPID" -- sleep "$d" \
			>/dev/null 2>"$DATA/perf-$phase.log" &
		ppid=$!
	fi
	c0=$(child_ticks)
	out=$("${PIN_WRK[@]}" wrk -t"$THREADS" -c"$c" -d"${d}s" --timeout 10s --latency \
		-s "$script" "$URL" -- "${args[@]}") || die "wrk failed: $out"
	c1=$(child_ticks)
	[ -z "$ppid" ] || wait "$ppid" || true
	t1=$(cpu_ticks)
	g1=$(metric sargs_commit_groups_total)
	j1=$(metric sargs_commit_jobs_total)
	b1=$(metric sargs_commit_busy_seconds_total)
	s1=$(metric sargs_commit_sync_seconds_total)
	y1=$(metric sargs_commit_syncs_total)
	echo "$out" >>"$DATA/wrk.log"
	local line
	line=$(echo "$out" | grep '^WRKRESULT') || die "no result from wrk: $out"
	R_RPS=$(echo "$line" | grep -o 'rps=[0-9.]*' | cut -d= -f2)
	R_P50=$(echo "$line" | grep -o 'p50_us=[0-9]*' | cut -d= -f2)
	R_P99=$(echo "$line" | grep -o 'p99_us=[0-9]*' | cut -d= -f2)
	R_MAX=$(echo "$line" | grep -o 'max_us=[0-9]*' | cut -d= -f2)
	R_REQ=$(echo "$line" | grep -o 'requests=[0-9]*' | cut -d= -f2)
	R_USED=$(echo "$line" | grep -o 'used=[0-9]*' | cut -d= -f2)
	R_ERR=$(echo "$line" | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^(non2xx|connect|read|write|timeout)=/) {split($i, a, "="); s += a[2]} print s + 0}')
	R_CPU=$(awk -v a="$t0" -v b="$t1" -v t="$TCK" -v d="$d" 'BEGIN {printf "%.2f", (b - a) / t / d}')
	R_WRK=$(awk -v a="$c0" -v b="$c1" -v t="$TCK" -v n="$R_REQ" \
		'BEGIN {if (n > 0) printf "%.0f", (b - a) / t * 1e6 / n; else print "-"}')
	if [ "$phase" = static ]; then
		R_GRP="-"
		R_WBUSY="-"
		R_SYNC="-"
	else
		R_WBUSY=$(awk -v a="$b0" -v b="$b1" -v d="$d" 'BEGIN {printf "%.2f", (b - a) / d}')
		R_SYNC=$(awk -v a="$s0" -v b="$s1" -v x="$y0" -v y="$y1" \
			'BEGIN {if (y > x) printf "%.2f", (b - a) * 1000 / (y - x); else print "-"}')
		R_GRP=$(awk -v a="$g0" -v b="$g1" -v x="$j0" -v y="$j1" \
			'BEGIN {if (b > a) printf "%.1f", (y - x) / (b - a); else print "-"}')
	fi
	if [ "$phase" = withdraw ]; then
		first=$(cat "$OFFSET_FILE")
		echo $((first + R_USED + c)) >"$OFFSET_FILE"
		local share=$(((NIDS - first + 1) / THREADS))
		[ $((R_USED / THREADS)) -le "$share" ] ||
			echo "warning: the withdrawal run wrapped around its ids (some withdrew twice)" >&2
	fi
	return 0
}

ms() { awk -v u="$1" 'BEGIN {printf "%.2f", u / 1000}'; }
row() { # label
	printf "| %-32s | %5s | %10.0f | %8s | %8s | %8s | %7s | %6s | %6s | %6s | %5s | %6s | %6s |\n" \
		"$1" "$2" "$R_RPS" "$(ms "$R_P50")" "$(ms "$R_P99")" "$(ms "$R_MAX")" "$R_ERR" \
		"$R_GRP" "$R_WBUSY" "$R_SYNC" "$R_CPU" \
		"$(awk -v c="$R_CPU" -v r="$R_RPS" 'BEGIN {if (r > 0) printf "%.0f", c * 1e6 / r; else print "-"}')" \
		"$R_WRK"
}
HEAD="| run                              | conns |   requests/s | p50 (ms) | p99 (ms) | max (ms) |  errors |  group | worker |   sync | cores | cpu µs | wrk µs |"
SEP="|----------------------------------|-------|--------------|----------|----------|----------|---------|--------|--------|--------|-------|--------|--------|"

if [ "$WARMUP" -gt 0 ]; then
	echo "warm-up: ${WARMUP}s of reads" >&2
	run read "$CONNS" "$WARMUP"
fi

if [ -n "$TRY" ]; then
	echo
	echo "Connection counts tried (${TRY_DUR}s each, -t$THREADS):"
	echo
	echo "$HEAD"
	echo "$SEP"
	for c in $TRY; do
		run read "$c" "$TRY_DUR"
		row "read ?purpose=$PURPOSE" "$c"
		run withdraw "$c" "$TRY_DUR"
		row "withdraw $CONSENT" "$c"
		run static "$c" "$TRY_DUR"
		row "static (baseline)" "$c"
	done
fi

RECORD=1
run read "$CONNS" "$DUR"
READ=("$R_RPS" "$R_P50" "$R_P99" "$R_MAX" "$R_ERR" "$R_GRP" "$R_WBUSY" "$R_SYNC" "$R_CPU" "$R_WRK")
run withdraw "$CONNS" "$DUR"
WD=("$R_RPS" "$R_P50" "$R_P99" "$R_MAX" "$R_ERR" "$R_GRP" "$R_WBUSY" "$R_SYNC" "$R_CPU" "$R_WRK")
run static "$CONNS" "$DUR"
ST=("$R_RPS" "$R_P50" "$R_P99" "$R_MAX" "$R_ERR" "$R_GRP" "$R_WBUSY" "$R_SYNC" "$R_CPU" "$R_WRK")

set_r() { R_RPS=$1; R_P50=$2; R_P99=$3; R_MAX=$4; R_ERR=$5; R_GRP=$6; R_WBUSY=$7; R_SYNC=$8; R_CPU=$9; R_WRK=${10}; }
echo
echo "Sargs server at $NIDS subjects, wrk -t$THREADS -c$CONNS -d${DUR}s --latency on loopback ($(nproc) cores):"
echo
echo "$HEAD"
echo "$SEP"
set_r "${READ[@]}"; row "read ?purpose=$PURPOSE" "$CONNS"
set_r "${WD[@]}"; row "withdraw $CONSENT" "$CONNS"
set_r "${ST[@]}"; row "static (baseline)" "$CONNS"
echo
awk -v r="${READ[0]}" -v w="${WD[0]}" -v s="${ST[0]}" -v rp="${READ[2]}" -v sp="${ST[2]}" \
	-v wp="${WD[2]}" 'BEGIN {
	printf "ratio read/static: %.3f (requests/s), p99 %.1fx\n", r / s, rp / sp
	printf "ratio withdraw/static: %.3f (requests/s), p99 %.1fx\n", w / s, wp / sp
}'
awk -v r="${READ[0]}" -v p="${READ[2]}" 'BEGIN {
	printf "target: >= 20000 purpose-bound reads/s: %s (%.0f/s)\n", (r >= 20000 ? "MET" : "MISSED"), r
	printf "target: read p99 < 10 ms: %s (%.2f ms)\n", (p < 10000 ? "MET" : "MISSED"), p / 1000
}'
awk -v c="${READ[8]}" -v r="${READ[0]}" -v w="${READ[9]}" -v n="$(nproc)" 'BEGIN {
	if (r > 0 && w != "-") {
		s = c * 1e6 / r
		printf "CPU per read: server %.0f us + wrk %.0f us; %d fully busy cores would allow %.0f reads/s\n",
			s, w, n, n * 1e6 / (s + w)
		# wrk does the same work for every read: this ratio moves far
		# less with the speed of the shared machine than the rates do
		if (w > 0)
			printf "server CPU per read / wrk CPU per read: %.2f (compare builds by this)\n", s / w
	}
}'
echo "(group: requests per commit of the register worker; worker: the share of the time it ran"
echo " groups; sync: the average sync of the log in ms (one covers the groups committed before it);"
echo " cores: the server's CPU time / wall time; cpu µs: the server's CPU time per request;"
echo " wrk µs: the client's CPU time per request, taken from the same two cores;"
echo " errors: wrk's non-2xx answers, socket errors and timeouts)"
if [ -n "$PERF" ]; then
	echo "perf data of the $PERF run: $DATA/perf-$PERF.data (perf report -i ... --stdio)"
fi
