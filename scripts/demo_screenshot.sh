#!/usr/bin/env bash
# Retake docs/img/demo.png: the browser test's final screenshot (baseline, US tariff on China
# from tick 10, 12 years run). Needs /usr/bin/chromium and the dev tools (.venv from `make test`);
# CI=true makes a missing browser an error rather than a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
CI=true TRADESIM_DEMO_SCREENSHOT="$PWD/docs/img/demo.png" SOLARA_TELEMETRY_MIXPANEL_ENABLE=false \
    "$py" -m pytest -q -p no:xdist tests/test_demo_browser.py
echo "wrote docs/img/demo.png"
