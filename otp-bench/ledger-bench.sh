#!/usr/bin/env bash
# The ledger case study (org.otp4j.examples.ledger) against a plain Jetty + HikariCP + JDBC service,
# on SQLite and on PostgreSQL, durable transfers over HTTP (org.otp4j.bench.LedgerBench).
#
#   bash otp-bench/ledger-bench.sh            full run (about 5 minutes): writes docs/benchmarks-ledger.md
#   bash otp-bench/ledger-bench.sh --smoke    tiny run (about a minute), also proves the books check
#                                             catches a broken book: otp-bench/target/benchmarks-ledger-smoke.md
#
# Other options go to the harness: --clients N, --accounts N, --warmup S, --duration S,
# --dbs sqlite,postgres, --contenders ledger,plain, --pool N, --out FILE, --no-build.
# PostgreSQL: the server binaries of Debian's postgresql package (/usr/lib/postgresql/*/bin);
# the harness makes a throw-away cluster with initdb and pg_ctl.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
source "$here/env.sh"

prepare_bench "$root" "$@"

cd "$root"
exec "$BENCH_JAVA" --enable-native-access=ALL-UNNAMED -cp "$here/target/benchmarks.jar" org.otp4j.bench.LedgerBench \
  --root "$root" "${BENCH_ARGS[@]}"
