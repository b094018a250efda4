"""What the plugin costs a pytest run that does not use it.

Collects and runs 500 trivial tests with pytest-mlops installed and loaded (but without
--mlops) versus with it disabled (-p no:mlops), alternating the two so that machine noise
hits both alike, and prints the median wall time of each and their ratio.
Target: under 3% overhead.

    python benchmarks/startup.py [--repeats 15] [--tests 500]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def make_suite(folder: Path, n_tests: int) -> None:
    per_file = 50
    for index in range(n_tests // per_file):
        body = "\n".join(f"def test_{k}():\n    assert {k} == {k}\n" for k in range(per_file))
        (folder / f"test_trivial_{index}.py").write_text(body)
    (folder / "pytest.ini").write_text("[pytest]\n")


def run(folder: Path, extra: list[str]) -> float:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"pytest failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--tests", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_suite(folder, args.tests)
        run(folder, [])  # warm the file-system cache and bytecode
        run(folder, ["-p", "no:mlops"])
        with_plugin: list[float] = []
        without: list[float] = []
        for _ in range(args.repeats):
            with_plugin.append(run(folder, []))
            without.append(run(folder, ["-p", "no:mlops"]))
    loaded, baseline = statistics.median(with_plugin), statistics.median(without)
    ratio = loaded / baseline
    print(f"{args.tests} trivial tests, {args.repeats} alternating runs each (median wall time)")
    print(f"  with pytest-mlops loaded : {loaded * 1000:8.1f} ms")
    print(f"  with -p no:mlops         : {baseline * 1000:8.1f} ms")
    print(
        f"  ratio                    : {ratio:8.3f}  (overhead {100 * (ratio - 1):+.1f}%; "
        "target < +3%)"
    )


if __name__ == "__main__":
    main()
