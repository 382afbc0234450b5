"""Benchmarks of PyMailGUI's POP3 client against a classic poplib client (run bench_pop.py)."""
