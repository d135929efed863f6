"""Benchmarks of teitools; each script runs as ``python -m benchmarks.<name>`` from the checkout."""
