#!/usr/bin/env bash
# The IoT case study (org.otp4j.examples.iot) on three platform nodes beside the ceiling of its
# broker and simulator alone (org.otp4j.bench.IotBench).
#
#   bash otp-bench/iot-bench.sh            a few minutes: writes docs/benchmarks-iot.md
#   bash otp-bench/iot-bench.sh --smoke    a small run: otp-bench/target/benchmarks-iot-smoke.md
#
# Options go to the harness: --ceiling-devices N (4000), --interval-ms MS (100), --per-connection K
# (100), --warmup S (3, each phase), --duration S (8, each measured window), --platform-warmup S (20),
# --hold N (100000 devices), --hold-timeout S (360), --drain-timeout S (60), --database sqlite|postgres (sqlite: the
# three nodes share one SQLite file; postgres: a throw-away PostgreSQL cluster), --in-flight N (the
# nodes' iot.inFlight; the platform's default if not given), --sessions N (the nodes' iot.sessions, 4),
# --out FILE, --no-build
# (skip the Maven build). Longer: --warmup 10 --duration 30 --drain-timeout 600. mosquitto comes from
# Debian: the script installs it with apt-get (needs root) when missing and says so; the harness
# starts its own brokers on free loopback ports, never the system service.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
source "$here/env.sh"

prepare_bench "$root" "$@"

if ! [[ -x /usr/sbin/mosquitto ]] && ! command -v mosquitto >/dev/null 2>&1; then
  echo "Installing Debian's mosquitto (apt-get; the service is not started)..."
  RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mosquitto \
    || { apt-get update -q && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mosquitto; }
fi
export PATH="$PATH:/usr/sbin"

cd "$root"
exec "$BENCH_JAVA" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -cp "$here/target/benchmarks.jar" org.otp4j.bench.IotBench \
  --root "$root" "${BENCH_ARGS[@]}"
