#!/usr/bin/env bash
# Side-by-side benchmarks: otp4j, Erlang/OTP (BEAM), Apache Pekko and raw JDK virtual threads,
# measured in one run on this machine (org.otp4j.bench.SideBySide).
#
#   bash otp-bench/bench.sh            full run (about 30 minutes on 2 cores):
#                                      writes docs/benchmarks.md and docs/benchmarks.svg
#   bash otp-bench/bench.sh --quick    smoke run (about 5 minutes on 2 cores):
#                                      writes otp-bench/target/benchmarks-quick.md (and .svg)
#
# Other options go to the harness: --rounds N, --only spawn,ping-pong, --runtimes otp4j,beam,
# --out FILE, --no-build (skip the Maven build). If `erl` is missing, the harness installs
# Debian's erlang-base (apt-get; needs root) and says so.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
source "$here/env.sh"

prepare_bench "$root" "$@"

cd "$root"
exec "$BENCH_JAVA" -cp "$here/target/benchmarks.jar" org.otp4j.bench.SideBySide --root "$root" "${BENCH_ARGS[@]}"
