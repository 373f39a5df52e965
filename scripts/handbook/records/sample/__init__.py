"""Fictional sample records for demonstrations, tests and benchmarks."""
