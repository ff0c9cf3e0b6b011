"""Development tools: code for tests, benchmarks and the demo that the shipped plugin does not hold."""
