"""The benchmarks: `python -m bench` lists them, runs them (JSON results) and compares two runs (bench/__main__.py).

Each module here with a `main(argv)` is one benchmark; the rest are what they share (record, processes, crowd,
drawers). Current figures against targets: bench/RESULTS.md; how they were reached: bench/NOTES.md.
"""
