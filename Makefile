# The two Quick start commands (README): `make run` and `make test`. Both install what they need first.
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: install run test-deps test lint bench lock

install:
	$(PYTHON) -m pip install -q -r requirements.txt -c constraints.txt

run: install
	$(PYTHON) -m dashboard serve

test-deps:
	$(PYTHON) -m pip install -q -r requirements-dev.txt -c constraints.txt
	@if ! command -v chromedriver >/dev/null || ! command -v chromium >/dev/null; then \
		echo "installing Debian's chromium and chromium-driver for the browser tests"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi
	@# The fault tests start private PostgreSQL and Mosquitto instances (initdb/pg_ctl, mosquitto).
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v mosquitto >/dev/null; then \
		echo "installing PostgreSQL and Mosquitto programs for the fault tests"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql mosquitto >/dev/null; \
	fi

test: test-deps
	$(PYTHON) -m pytest

lint:
	$(PYTHON) -m ruff check . && $(PYTHON) -m ruff format --check .

bench: install
	$(PYTHON) -m bench

# Refresh constraints.txt on purpose (after changing requirements and passing the suite on the new versions).
lock:
	$(PYTHON) tools/lock_requirements.py
