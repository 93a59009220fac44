"""memoryos benchmarks: LoCoMo retrieval quality (`locomo`), speed and scale (`speed`), LLM cost (`llmcost`).

Each module has `main(argv)` and runs as `python -m benchmarks.NAME`; results go to benchmarks/results/.
"""
