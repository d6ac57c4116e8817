# Shared by the benchmark scripts: find a JDK 25+ and build otp-bench (sourced, not run).

# A java of version 25 or later: $JAVA_HOME, the java on the PATH, or one in /usr/lib/jvm.
find_java() {
  local candidates=()
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for d in /usr/lib/jvm/*; do candidates+=("$d/bin/java"); done
  local j v
  for j in "${candidates[@]}"; do
    [[ -x "$j" ]] || continue
    v="$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
    if [[ "$v" =~ ^[0-9]+$ ]] && (( v >= 25 )); then
      echo "$j"
      return 0
    fi
  done
  echo "no JDK 25 or later found (tried \$JAVA_HOME, the PATH and /usr/lib/jvm); install one or set JAVA_HOME" >&2
  return 1
}

# Builds otp-core and otp-bench (no tests: benchmarks are not part of the test build). Offline
# first; online only if a dependency is missing from the local repository.
build_bench() {
  local root="$1"
  echo "Building otp-bench (mvn -pl otp-bench -am package, tests skipped)..."
  # Offline first; then online (a missing dependency); then once more (another build writing the
  # same target/ at the same moment makes the jar step fail).
  if ! (cd "$root" && mvn -B -q -o -pl otp-bench -am package -Dmaven.test.skip=true); then
    echo "Offline build failed; retrying online."
    if ! (cd "$root" && mvn -B -q -pl otp-bench -am package -Dmaven.test.skip=true); then
      sleep 10
      (cd "$root" && mvn -B -q -pl otp-bench -am package -Dmaven.test.skip=true)
    fi
  fi
  # What was built: the report names it (the tree may move on while a run is under way).
  local sha dirty
  sha="$(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  dirty="$(cd "$root" && git status --porcelain -- otp-core/src 2>/dev/null | head -1)"
  echo "$sha${dirty:+ (otp-core with uncommitted changes)}" > "$root/otp-bench/target/build-commit.txt"
}

# Takes --no-build out of a script's arguments (the others go to the harness: BENCH_ARGS), finds
# java (BENCH_JAVA) and builds otp-bench, unless told not to and a jar is already there.
prepare_bench() {
  local root="$1"
  shift
  local build=1 a
  BENCH_ARGS=()
  for a in "$@"; do
    if [[ "$a" == "--no-build" ]]; then build=0; else BENCH_ARGS+=("$a"); fi
  done
  BENCH_JAVA="$(find_java)"
  if (( build )) || [[ ! -f "$root/otp-bench/target/benchmarks.jar" ]]; then
    build_bench "$root"
  fi
}
