"""Benchmarks run by `make bench` (`python -m bench`). They print figures and targets beside the
machine they ran on; nothing here asserts a timing."""
