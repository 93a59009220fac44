"""`memoryos bench NAME`: run `benchmarks.NAME.main(args)` from a checkout (benchmarks are not installed)."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class BenchmarkMissing(Exception):
    """The benchmark module does not exist or has no main()."""


def search_roots() -> list[Path]:
    """The working directory first, then the checkout this package was installed from (editable installs)."""
    roots = [Path.cwd()]
    checkout = Path(__file__).resolve().parents[3]  # src/memoryos/interfaces/bench.py -> repo root
    if (checkout / "benchmarks").is_dir() and checkout not in roots:
        roots.append(checkout)
    return roots


def available(roots: list[Path]) -> list[str]:
    names: set[str] = set()
    for root in roots:
        folder = root / "benchmarks"
        if folder.is_dir():
            names.update(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))
    return sorted(names)


def run_benchmark(name: str, args: list[str]) -> int:
    roots = search_roots()
    if not _NAME_RE.match(name):
        raise BenchmarkMissing(f"benchmark names are module names (like locomo or speed), not {name!r}")
    for root in reversed(roots):  # the working directory ends up first on sys.path
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
    module_name = f"benchmarks.{name}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name not in ("benchmarks", module_name):
            raise  # the benchmark exists but one of its own imports is missing: show that error as is
        known = available(roots)
        where = ", ".join(str(r / "benchmarks") for r in roots)
        hint = f"available: {', '.join(known)}" if known else "run it from a memoryos checkout"
        raise BenchmarkMissing(f"no benchmark {name!r} (looked for {module_name} in {where}); {hint}") from exc
    main = getattr(module, "main", None)
    if not callable(main):
        raise BenchmarkMissing(f"{module_name} has no main(argv) function")
    result = main(args)
    return result if isinstance(result, int) else 0
