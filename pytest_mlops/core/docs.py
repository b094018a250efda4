"""The README's option tables, derived from the registry so they cannot drift.

Each check's table lists its keyword options with their defaults and what
:func:`~pytest_mlops.core.params.validate_params` allows. In the README a table sits
between ``<!-- options: check_x -->`` and ``<!-- /options -->``;
``python -m pytest_mlops.core.docs README.md`` rewrites every such block in place and
``--check`` fails when one is stale (the test suite runs the check).
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path
from typing import Any

from pytest_mlops.core import registry
from pytest_mlops.core.params import constraints_of

BLOCK = re.compile(r"(<!-- options: (\w+) -->\n)(.*?)(<!-- /options -->)", re.DOTALL)


def _default(value: Any) -> str:
    if value is inspect.Parameter.empty:
        return "required"
    text = repr(value)
    return f"`{text}`" if len(text) < 40 else "see docstring"


def option_table(method: str) -> str:
    """The Markdown table of a registered check's keyword options."""
    spec = registry.get(method)
    if spec is None:
        raise KeyError(f"no registered check {method!r}")
    declared = constraints_of(spec.function)
    rows = ["| Option | Default | Allowed |", "|---|---|---|"]
    for name, parameter in spec.signature().parameters.items():
        if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            continue
        if name == "severity":
            allowed = "`'block'`, `'warn'` or None (the marker's, else block)"
        elif name in declared:
            allowed = " or ".join("None" if c is None else c.describe() for c in declared[name])
        else:
            allowed = "see docstring"
        rows.append(f"| `{name}` | {_default(parameter.default)} | {allowed} |")
    return "\n".join(rows) + "\n"


def render(text: str) -> str:
    """``text`` with every options block regenerated."""
    return BLOCK.sub(lambda m: m.group(1) + option_table(m.group(2)) + m.group(4), text)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(a) for a in argv if not a.startswith("--")] or [Path("README.md")]
    stale = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        new = render(text)
        if new != text:
            stale.append(str(path))
            if not check:
                path.write_text(new, encoding="utf-8")
    if check and stale:
        print(f"stale option tables in {', '.join(stale)}: run python -m pytest_mlops.core.docs")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
