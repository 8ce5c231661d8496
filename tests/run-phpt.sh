#!/usr/bin/env bash
# Runs the phpt suite with PHP's own run-tests.php against modules/rswoole.so and ends with
# the line "phpt: N passed, M failed". Exits non-zero on any failure or when nothing ran.
set -u
cd "$(dirname "$0")/.."
ext="$PWD/modules/rswoole.so"
runner=$(ls /usr/lib/php/*/build/run-tests.php 2>/dev/null | head -n1)
if [ -z "$runner" ] || [ ! -f "$ext" ]; then
  echo "run-tests.php or $ext missing (run make build)"
  echo "phpt: 0 passed, 1 failed"
  exit 1
fi
# run-tests.php silently re-runs a failed test that mentions usleep/microtime ("flaky"). Flaky
# is failing here: run a copy with that retry switched off, so the first failure is the one
# reported, with its diff.
strict=$(mktemp --suffix=.php)
sed 's/if (!$passed \&\& !$retried \&\& error_may_be_retried(/if (false \&\& !$retried \&\& error_may_be_retried(/' "$runner" > "$strict"
runner=$strict
export RSWOOLE_EXT="$ext"
export NO_INTERACTION=1
export TEST_PHP_EXECUTABLE=$(command -v php)
log=$(mktemp)
# -j2: two cores; each test forks a whole server.
php -n "$runner" -n -d extension=posix -d "extension=$ext" -j2 -q --no-color --show-diff "${@:-tests/phpt}" 2>&1 | tee "$log"
# The summary block is the one place run-tests.php prints counts without progress noise.
count() { sed -n "s/^Tests $1 *: *\([0-9]*\).*/\1/p" "$log" | head -n1; }
passed=$(count passed); failed=$(count failed); skipped=$(count skipped); warned=$(count warned)
passed=${passed:-0}; failed=${failed:-1}; skipped=${skipped:-0}; warned=${warned:-0}
# Should a retry still happen (another run-tests.php version), a pass on retry is a failure.
failed=$((failed + warned))
borked=$(grep -c 'BORK' "$log" || true)
failed=$((failed + borked))
rm -f "$log" "$strict"
# A test that run-tests.php killed (its timeout) never stopped its server: the server's parent
# (the test) is gone, so it hangs under init. Report it and end its whole session. Servers of
# live tests (another run at the same time) still have their test as parent and are spared.
left=""
for pid in $(pgrep -f "/tmp/rswoole-test-[^ ]*/server.php" || true); do
  if [ "$(ps -o ppid= -p "$pid" 2>/dev/null | tr -d ' ')" = "1" ]; then
    left="$left $pid"
    kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid" 2>/dev/null || true
  fi
done
if [ -n "$left" ]; then
  echo "server processes left behind by a killed test:$left"
  failed=$((failed + 1))
fi
echo "phpt: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
