"""Fail when pip's install report (pip install --dry-run --report FILE) would install torch or its CUDA stack."""

import json
import sys

FORBIDDEN = ("torch", "sentence-transformers", "transformers", "triton")

with open(sys.argv[1], encoding="utf-8") as fh:
    report = json.load(fh)
names = sorted(item["metadata"]["name"].lower() for item in report["install"])
found = [n for n in names if n in FORBIDDEN or n.startswith("nvidia-")]
if found:
    sys.exit(f"the default install would pull {', '.join(found)}: {', '.join(names)}")
print(f"default install: {len(names)} packages, no torch")
