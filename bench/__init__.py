"""Speed and quality benchmarks for the engine; see bench/run.py."""
