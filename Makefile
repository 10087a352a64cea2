# Two commands do all set-up on a fresh machine (see README):
#   make demo   builds the graph of the bundled examples into output/
#   make test   runs the test suite (installs Debian's chromium for the browser tests when run as root)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test chromium train bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kg build examples --store output/store
	$(BIN)/kg export --format turtle -o output/graph.ttl
	$(BIN)/kg export --format jsonld -o output/graph.jsonld
	$(BIN)/kg viz -o output/graph.html

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: install Debian's chromium (apt-get install chromium) for the browser tests"; fi; }

test: $(STAMP) chromium
	$(BIN)/pytest -q

train: $(STAMP)
	$(MAKE) -C training

bench: $(STAMP)
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/ner_msra.py

clean:
	rm -rf output/store output/graph.*
