#!/usr/bin/env bash
# `make demo`: starts php/demo.php, sends it one message as a client would, shows what the
# server printed, then stops it with SIGTERM as Ctrl-C would.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
# Loaded by path, so the demo works whether or not `make install` ran.
args=(-n -d "extension=$PWD/modules/rswoole.so" -d extension=posix)
setsid php "${args[@]}" php/demo.php >"$out" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; rm -f "$out"' EXIT
php "${args[@]}" -r '
  $deadline = microtime(true) + 10;
  while (!($c = @stream_socket_client("tcp://127.0.0.1:9502", $e, $s, 1))) {
      if (microtime(true) > $deadline) { fwrite(STDERR, "demo server did not listen\n"); exit(1); }
      usleep(20000);
  }
  fwrite($c, "hello from the demo client\n");
  echo "client: sent a message to 127.0.0.1:9502\n";
  fclose($c);
'
for _ in $(seq 1 500); do
  grep -q "Finish" "$out" && break
  sleep 0.02
done
kill -TERM $server
wait $server || true
echo "--- server output ---"
cat "$out"
echo "--- server stopped (exit code of start(): clean) ---"
if pgrep -f "php/demo.php" >/dev/null; then echo "processes left behind!"; exit 1; fi
