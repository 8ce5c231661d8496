# Two commands set everything up on a fresh Debian 12 machine: `make demo` and `make test`.
SHELL := /bin/bash
EXT := modules/rswoole.so
PHP := php
PHP_EXT_ARGS := -n -d extension=$(CURDIR)/$(EXT) -d extension=posix

.PHONY: deps build install demo test test-rust test-phpt bench clean

# Installs what a fresh machine lacks: PHP CLI and headers, libclang for bindgen (libclang.so
# itself: libclang-cpp, which other packages bring, does not do), and redis-server for the
# broker's tests (Debian starts a system instance on 6379; it is stopped, tests start their own).
deps:
	@if ! command -v php-config >/dev/null || ! command -v php >/dev/null || ! ls /usr/lib/llvm-*/lib/libclang.so* >/dev/null 2>&1; then \
		echo "installing php-cli php-dev libclang-dev"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq php-cli php-dev libclang-dev >/dev/null; \
	fi
	@# The multi-host broker tests build hosts with network namespaces (ip netns).
	@if ! command -v ip >/dev/null; then \
		echo "installing iproute2"; \
		export DEBIAN_FRONTEND=noninteractive; \
		(apt-get install -y -qq iproute2 >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq iproute2 >/dev/null)); \
	fi
	@# The task broker's tests start their own Redis on a free loopback port.
	@if ! command -v redis-server >/dev/null; then \
		echo "installing redis-server"; \
		export DEBIAN_FRONTEND=noninteractive; \
		(apt-get install -y -qq redis-server >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq redis-server >/dev/null)); \
		systemctl disable --now redis-server >/dev/null 2>&1 || service redis-server stop >/dev/null 2>&1 || true; \
	fi

build: deps
	cargo build --release
	@mkdir -p modules
	cp target/release/librswoole.so $(EXT)

install: build
	install -m 0755 $(EXT) "$$(php-config --extension-dir)/rswoole.so"
	@confd=$$(php --ini | sed -n 's/^Scan for additional .ini files in: *//p'); \
	echo "extension=rswoole.so" > "$$confd/20-rswoole.ini"; \
	echo "installed; $$confd/20-rswoole.ini loads it"
	php --ri rswoole

# Runs the seed demo, sends it one message, shows what the server printed, stops it.
demo: build
	@bash php/run-demo.sh

test: build test-rust test-phpt

test-rust:
	cargo test --release --no-default-features

test-phpt:
	@bash tests/run-phpt.sh

bench: build
	cargo build --release --no-default-features --bin raw_roundtrip --bin tcp_load --bin shared_raw --bin broker_raw
	php $(PHP_EXT_ARGS) php/bench/task_roundtrip.php
	php $(PHP_EXT_ARGS) php/bench/tcp_echo.php
	php $(PHP_EXT_ARGS) php/bench/shared_memory.php
	php $(PHP_EXT_ARGS) php/bench/timer_precision.php
	php $(PHP_EXT_ARGS) php/bench/broker.php

clean:
	cargo clean
	rm -rf modules
