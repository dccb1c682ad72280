# Two commands for a fresh clone: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app ujisim.app
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: install translations speech-tools run test lint format lock messages bench clean

install: $(STAMP)

# dlib-bin is the prebuilt dlib; face_recognition asks for `dlib` in its metadata, so it goes in
# with --no-deps after it (building dlib from source takes ~10 minutes). setuptools<81 because
# face_recognition_models imports pkg_resources.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -c constraints.txt pip 'setuptools<81' wheel
	$(BIN)/python -m pip install -q -c constraints.txt dlib-bin
	$(BIN)/python -m pip install -q -c constraints.txt --no-deps face_recognition==1.3.0
	$(BIN)/python -m pip install -q -c constraints.txt --no-build-isolation -e '.[dev]'
	touch $@

translations: install
	$(BIN)/pybabel compile -d ujisim/translations

# Read aloud (core/speech.py) needs Debian's espeak-ng, and lame for MP3; apt-get runs only when
# one is missing (as root, or through sudo).
speech-tools:
	@missing=""; command -v espeak-ng >/dev/null 2>&1 || missing="$$missing espeak-ng"; \
	command -v lame >/dev/null 2>&1 || missing="$$missing lame"; \
	if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# Links in e-mails and on cards, and the login address the seed prints, follow HOST and PORT.
PUBLIC_URL ?= http://$(HOST):$(PORT)
run: translations speech-tools
	$(FLASK) db upgrade
	UJISIM_PUBLIC_URL=$(PUBLIC_URL) $(FLASK) seed demo
	UJISIM_PUBLIC_URL=$(PUBLIC_URL) $(BIN)/gunicorn --workers 2 --bind $(HOST):$(PORT) \
		--access-logfile - 'ujisim.app:create_app()'

# What the browser tests load into Chromium, pinned in package-lock.json (axe-core for
# tests/e2e/test_axe.py), from the npm registry into node_modules/ (git-ignored).
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Parallel on every core (pytest-xdist): each worker has its own databases, app, ports and files;
# a test file stays on one worker (its module fixtures are built once), and the longest files
# start first (tests/conftest.py LONGEST_FIRST). TEST_WORKERS=0: serial.
TEST_WORKERS ?= auto
test: translations speech-tools $(AXE)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh the pins after changing pyproject.toml.
lock: install
	{ $(BIN)/python -m pip freeze --all --exclude-editable | grep -iv '^ujisim'; } | sort -f > constraints.txt

# Refresh messages.pot and the catalogues after changing user-facing text.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-o ujisim/translations/messages.pot .
	$(BIN)/pybabel update -i ujisim/translations/messages.pot -d ujisim/translations --no-fuzzy-matching

bench: translations
	$(BIN)/python bench/http_baseline.py
	$(BIN)/python bench/exam_load.py
	$(BIN)/python bench/pdf_bench.py
	$(BIN)/python bench/face_bench.py
	$(BIN)/python bench/stats_bench.py
	$(BIN)/python bench/page_bench.py
	$(BIN)/python bench/clip_fps.py
	$(BIN)/python bench/clip_bots.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
