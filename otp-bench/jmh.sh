#!/usr/bin/env bash
# JMH microbenchmarks of otp4j's hot paths: send, receive, ping-pong, selective receive (with and
# without the receive marker), Proc.call, spawn. Short defaults (1 fork, 3 x 1 s warm-up,
# 5 x 1 s measurement): about 3 minutes on 2 cores.
#
#   bash otp-bench/jmh.sh                      all benchmarks
#   bash otp-bench/jmh.sh Messaging            a subset (a regular expression, as for JMH)
#   bash otp-bench/jmh.sh -f 3 -wi 5 -i 10     longer runs: any JMH option
#
# Results: the console, and otp-bench/target/jmh-result.json. The same jar runs without this
# script: java -jar otp-bench/target/benchmarks.jar (with a JDK 25).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
source "$here/env.sh"

java="$(find_java)"
build_bench "$root"
cd "$root"
exec "$java" -jar "$here/target/benchmarks.jar" -jvm "$java" -rf json -rff "$here/target/jmh-result.json" "$@"
