#!/usr/bin/env bash
# The prepared GPU check: population benchmark on cuda against the per-model loop (64
# chang-lipson nets, width 100), time for newton to reach R² >= 0.99 on the full chang-lipson
# net, the weights stage of the full report preset, and a full-size DeepPhoenix iteration's
# timing, written to one JSON file (scripts/gpu_check.py says what each part measures).
#
#   scripts/gpu_check.sh [--out FILE] [--dry-run] [--device auto|cpu|cuda] [--parts a,b]
#
# On a CUDA machine it uses the first Python whose torch sees the GPU ($PYTHON, python3,
# .venv/bin/python); when none does it installs the project with `pip install -e .[neural,phoenix]`
# into python3 (a torch already present is kept) and reports torch.cuda.is_available() in the
# JSON either way.  The whole check stops after GPU_CHECK_LIMIT_S seconds (default 470, under
# 8 minutes); what finished by then is already in the JSON.  --dry-run: CPU sizes, no install.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

dry=0
for arg in "$@"; do [ "$arg" = "--dry-run" ] && dry=1; done

candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
[ -x .venv/bin/python ] && [ "$dry" = 1 ] && candidates+=(.venv/bin/python)
candidates+=(python3)
[ -x .venv/bin/python ] && candidates+=(.venv/bin/python)

has() {  # has PYTHON CODE: the code runs without error in that Python
    "$1" -c "$2" >/dev/null 2>&1
}

py=""
if [ "$dry" = 1 ]; then
    for candidate in "${candidates[@]}"; do
        if has "$candidate" "import torch, neural, rsi"; then py="$candidate"; break; fi
    done
else
    for candidate in "${candidates[@]}"; do
        if has "$candidate" "import torch, sys; sys.exit(not torch.cuda.is_available())"; then
            py="$candidate"; break
        fi
    done
    if [ -z "$py" ]; then
        echo "gpu_check: no Python here has a torch that sees a GPU; installing the project into python3" >&2
        py=python3
    fi
    if ! has "$py" "import torch, sklearn, transformers, numpy, sympy, rsi.app.report, neural.phoenix.model"; then
        "$py" -m pip install -q -e '.[neural,phoenix]' >&2 || echo "gpu_check: pip install failed; going on" >&2
    fi
fi
if [ -z "$py" ]; then
    echo "gpu_check: no Python with torch and the project found (run make install first)" >&2
    exit 2
fi
echo "gpu_check: using $py" >&2
exec timeout "${GPU_CHECK_LIMIT_S:-470}" "$py" scripts/gpu_check.py "$@"
