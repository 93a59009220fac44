"""Swappable providers: LLMs, embedding models, and the no-LLM extractor."""
