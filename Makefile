# policy-search: `make serve` serves the bundled corpus, `make test` runs the whole suite.
# Both create the virtualenv and install what is missing first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INDEX ?= var/index
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test index bench install system-deps clean

serve: install
	$(BIN)/policy-search serve --index $(INDEX) --build-from corpus --host $(HOST) --port $(PORT)

test: install system-deps
	$(BIN)/python -m pytest

index: install
	$(BIN)/policy-index build corpus --index $(INDEX)

bench: install
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

system-deps:
	bash scripts/install-debian-packages.sh "OCR tests" tesseract-ocr tesseract-ocr-kor tesseract-ocr-eng
	bash scripts/install-debian-packages.sh "browser tests" chromium fonts-nanum
	bash scripts/install-debian-packages.sh "reverse-proxy tests" nginx

clean:
	rm -rf $(VENV) var
