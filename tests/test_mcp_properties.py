"""Property-based test of the MCP tool layer: any JSON arguments a client may send get a result or a clear
tool error, the server keeps serving, and the memory behind it stays consistent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
from doubles import HashingEmbedder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client

from memoryos.interfaces.mcp_server import MemoryServer

JSON_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=40))
JSON_VALUE = st.recursive(
    JSON_SCALAR, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
TOOL_CALLS = st.lists(
    st.tuples(
        st.sampled_from(["add_memory", "retrieve_memory", "search_memory", "delete_memory", "get_user_profile",
                         "memory_stats", "add_knowledge", "knowledge_history", "invalidate_knowledge"]),
        st.dictionaries(
            st.sampled_from(["user_input", "agent_response", "timestamp", "meta_data", "query", "max_results",
                             "page_id", "user_id", "include_knowledge", "relationship_with_user", "ttl_seconds",
                             "text", "kind", "valid_until", "fact_id", "include_history"]),
            JSON_VALUE,
            max_size=5,
        ),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calls=TOOL_CALLS)
def test_any_tool_call_gets_a_result_or_a_tool_error(tmp_path_factory, calls: list[tuple[str, dict[str, Any]]]) -> None:
    data: Path = tmp_path_factory.mktemp("mcp-fuzz")
    server = MemoryServer({"user_id": "fuzz", "data_storage_path": str(data), "short_term_capacity": 3},
                          sampling=False, embedder=HashingEmbedder())

    async def main() -> None:
        async with Client(server.mcp) as client:
            for tool, arguments in calls:
                result = await client.call_tool(tool, arguments)
                if result.is_error:
                    assert result.content and result.content[0].text.strip()  # type: ignore[union-attr]
                    assert "Traceback" not in result.content[0].text  # type: ignore[union-attr]
            alive = await client.call_tool("memory_stats", {})  # still serving
            assert not alive.is_error

    try:
        anyio.run(main)
        for user_id in server.pool.open_users():
            with server.pool.use(user_id) as memo:
                memo.flush()
                assert memo.check(sample=None) == []
    finally:
        server.pool.close()
