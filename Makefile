# Two commands do all set-up on a fresh machine (see README):
#   make demo   builds the graph of the bundled examples into output/
#   make test   runs the test suite (installs Debian's chromium for the browser tests when run as root)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test chromium train train-relations bench clean

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

# Debian's chromium for the browser tests, and a CJK font (without one every Chinese label is a box).
chromium:
	@{ command -v chromium >/dev/null 2>&1 && dpkg -s fonts-noto-cjk >/dev/null 2>&1; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "chromium or fonts-noto-cjk is missing: install them (apt-get install chromium fonts-noto-cjk) for the browser tests"; fi; }

test: $(STAMP) chromium
	$(BIN)/pytest -q

# Reproduces the shipped NER (src/kg/models/ner): convert MSRA from ../shared, train (about 99 min on one core), ship model-best.
train: $(STAMP)
	PYTHONPATH=src OMP_NUM_THREADS=1 $(BIN)/python training/convert_msra.py
	PYTHONPATH=src OMP_NUM_THREADS=1 timeout --signal=TERM 99m $(BIN)/python -m spacy train training/charner.cfg \
	    --code src/kg/nlp/charner.py --output training/runs/charner || true
	rm -rf src/kg/models/ner && cp -r training/runs/charner/model-best src/kg/models/ner
	$(BIN)/python bench/ner_msra.py

# Reproduces the shipped relation scorer (src/kg/models/relations) from the annotated sets (about 15 s),
# then prints the leave-one-folder-out figures.
train-relations: $(STAMP)
	$(BIN)/python training/train_relations.py training/relations.cfg
	$(BIN)/python training/train_relations.py training/relations.cfg --folds

bench: $(STAMP)
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/ner_msra.py
	$(BIN)/python bench/places_dev.py
	$(BIN)/python bench/viz_load.py
	$(BIN)/python bench/endpoint.py
	$(BIN)/python bench/corpus.py --articles 1000,4000 --modes 1,2,dask --sinks --long --queries

clean:
	rm -rf output/store output/graph.*
