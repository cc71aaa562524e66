"""Developer tooling shared by the test suite and the benchmarks (not used by the running app)."""
