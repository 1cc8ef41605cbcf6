#!/usr/bin/env bash
# Runs Cairn's JMH micro-benchmarks from the shaded jar, building it first if it is missing.
#
#   bench/run.sh            every benchmark with the documented settings (one fork, 3 x 2 s
#                           warm-up, 5 x 2 s measurement); JSON in bench/target/jmh-result.json
#   bench/run.sh ARGS...    any JMH arguments instead, e.g. `TransactionBench -prof gc`
#                           (java -jar bench/target/benchmarks.jar -h lists them)
#   bench/run.sh --ratios [ROUNDS [SECONDS [FILTER...]]]
#                           each Cairn method interleaved with its raw primitive in one JVM,
#                           ROUNDS (20) rounds of one SECONDS (1) iteration each; prints the
#                           median per-round ratios (the numbers docs/BENCHMARKS.md quotes).
#                           A FILTER is a class (AdmissionBench) or a class and one of its Cairn
#                           methods (AdmissionBench.mempoolAdd); default: every comparison
#   bench/run.sh --propagation [EMPTY_BLOCKS [TX_BLOCKS [SVG]]]
#                           block propagation across 8 nodes on 127.0.0.1 (PropagationBench;
#                           defaults 100, 20, docs/propagation.svg)
#
# Set CAIRN_BENCH_REBUILD=1 to rebuild the jar even if it exists.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

jar=bench/target/benchmarks.jar
if [[ ! -f "$jar" || "${CAIRN_BENCH_REBUILD:-0}" == 1 ]]; then
  echo "building $jar ..." >&2
  rm -f "$jar"
  # A failed shade can leave a stub jar behind; remove it so the next run rebuilds.
  mvn -B -q -Pbench -pl bench -am package -DskipTests || { rm -f "$jar"; exit 1; }
fi

if [[ "${1:-}" == --propagation ]]; then
  shift
  exec java -cp "$jar" dev.cairn.bench.PropagationBench "$@"
fi
if [[ "${1:-}" == --ratios ]]; then
  shift
  exec java -cp "$jar" dev.cairn.bench.RatioRunner "$@"
fi
if [[ $# -eq 0 ]]; then
  set -- -f 1 -wi 3 -i 5 -w 2s -r 2s -rf json -rff bench/target/jmh-result.json
fi
exec java -jar "$jar" "$@"
