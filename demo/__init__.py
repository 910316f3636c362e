"""The demo city: its history simulator, its seeds and the benchmarks.

Imported by nothing outside this package (and tests/demo): the core apps work without it.
"""
