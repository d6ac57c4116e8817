#!/usr/bin/env bash
# Distribution side by side: otp4j's otp-dist, Erlang distribution, Pekko Artery, raw JGroups and raw
# TCP, each as two OS processes on loopback (org.otp4j.bench.DistBench).
#
#   bash otp-bench/dist-bench.sh        about 10 minutes: writes docs/benchmarks-dist.md
#
# Options go to the harness: --rounds N (default 3), --only id,id (otp4j, otp4j-jgroups, erlang, erlang-zdbbl,
# pekko, jgroups, tcp, tcp-platform), --out FILE, --no-build (skip the Maven build). Erlang comes from Debian's
# erlang-base, installed with apt-get when missing (needs root).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
source "$here/env.sh"

prepare_bench "$root" "$@"

cd "$root"
exec "$BENCH_JAVA" -cp "$here/target/benchmarks.jar" org.otp4j.bench.DistBench --root "$root" "${BENCH_ARGS[@]}"
