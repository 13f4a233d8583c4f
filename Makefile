# The two commands of the README. Each sets up what it needs (a .venv with Python >= 3.12).
.PHONY: run test fuzz lint bench docs-check clean

run:
	@scripts/bootstrap.sh
	@.venv/bin/tradesim run scenarios/baseline.toml

test:
	@scripts/bootstrap.sh dev
	@.venv/bin/python -m pytest -q -n 2

fuzz:  # the deep fuzzing profile (5000 examples, a few minutes; docs/reliability.md)
	@scripts/bootstrap.sh dev
	@TRADESIM_FUZZ=deep .venv/bin/python -m pytest -q -p no:xdist tests/test_fuzz_input.py --hypothesis-show-statistics

lint:
	@scripts/bootstrap.sh dev
	@.venv/bin/ruff check sim tests benchmarks docs
	@.venv/bin/ruff format --check sim tests benchmarks docs

docs-check:  # rerun every number of docs/checks.toml and every snippet of the docs, the long ones too
	@scripts/bootstrap.sh dev
	@TRADESIM_DOCS_CHECK=all .venv/bin/python -m pytest -q -p no:xdist tests/test_docs_numbers.py tests/test_docs_snippets.py tests/test_tutorial.py

bench:
	@scripts/bootstrap.sh dev
	@.venv/bin/python benchmarks/run.py

clean:
	rm -rf .venv .pytest_cache
