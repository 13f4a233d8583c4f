# The two commands of the README. Each sets up what it needs (a .venv with Python >= 3.12).
.PHONY: run test fuzz lint bench clean

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
	@.venv/bin/ruff check sim tests benchmarks
	@.venv/bin/ruff format --check sim tests benchmarks

bench:
	@scripts/bootstrap.sh dev
	@.venv/bin/python benchmarks/run.py

clean:
	rm -rf .venv .pytest_cache
