#!/usr/bin/env bash
# The gateway example side by side with nginx and HAProxy as reverse proxies, and with an upstream
# asked directly, in front of the same two upstream processes, loaded by wrk
# (org.otp4j.bench.GatewayBench).
#
#   bash otp-bench/gateway-bench.sh        about 6 minutes: writes docs/benchmarks-gateway.md
#
# Options go to the harness: --duration S (per wrk run, default 10), --rounds N (default 1), --warmup S
# (before a contender's first round, default 40),
# --rate R (the paced runs' requests/s, default 6000), --out FILE, --jfr (a flight recording of the
# gateway), --no-build (skip the Maven build). nginx, haproxy and wrk come from Debian: the script
# installs the missing ones with apt-get (needs root) and says so; it starts its own nginx and
# HAProxy on free loopback ports, never the system services.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
source "$here/env.sh"

prepare_bench "$root" "$@"

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
[[ -x /usr/sbin/nginx ]] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)
[[ -x /usr/sbin/haproxy ]] || command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
if (( ${#missing[@]} )); then
  echo "Installing Debian's ${missing[*]} (apt-get; the services are not started)..."
  # RUNLEVEL=1: the packages' scripts leave the system services stopped; the benchmark runs its own
  RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
    || { apt-get update -q && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; }
fi
export PATH="$PATH:/usr/sbin"

cd "$root"
exec "$BENCH_JAVA" -cp "$here/target/benchmarks.jar" org.otp4j.bench.GatewayBench --root "$root" "${BENCH_ARGS[@]}"
