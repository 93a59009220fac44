"""A LangGraph agent with memoryos: recall before the model, remember after it, memory tools for the model.
`pip install -e ".[langchain]"`, then

    python examples/langgraph_memory.py [DATA_DIR]

It runs offline on LangChain's fake chat model, scripted to call the memory tools once, and prints what memory
recalled for each turn. For a real model, build `model` with any LangChain chat model that supports tools (e.g.
`ChatOpenAI(model="gpt-4o-mini").bind_tools(tools)` from langchain-openai). Memory lives in DATA_DIR (default: a
temporary directory, removed at the end).
"""

from __future__ import annotations

import logging
import sys
import tempfile
from typing import Any

from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition

from memoryos import Memoryos
from memoryos.integrations.langchain import memory_tools, recall_node, remember_node


class State(MessagesState):
    memory_context: str  # filled by the recall step


def scripted_model() -> Any:
    def call(name: str, **args: Any) -> AIMessage:
        return AIMessage("", tool_calls=[{"name": name, "args": args, "id": f"call_{name}"}])

    return FakeMessagesListChatModel(
        responses=[
            call("add_knowledge", text="Tom is allergic to peanuts."),  # turn 1: the model keeps a fact
            AIMessage("Noted, Tom: no peanuts."),
            AIMessage("Ana in Porto, how nice."),  # turn 2
            call("search_memory", query="allergy"),  # turn 3: the model looks something up
            AIMessage("Pack rice crackers: they have no peanuts."),
        ]
    )


def build_graph(memo: Memoryos, model: Any) -> Any:
    def call_model(state: State) -> dict[str, Any]:
        system = SystemMessage(f"You are a friend who remembers the user. Be brief.\n\n{state['memory_context']}")
        return {"messages": [model.invoke([system, *state["messages"]])]}

    graph = StateGraph(State)
    graph.add_node("recall", recall_node(memo))
    graph.add_node("model", call_model)
    graph.add_node("tools", ToolNode(memory_tools(memo)))
    graph.add_node("remember", remember_node(memo))
    graph.add_edge(START, "recall")
    graph.add_edge("recall", "model")
    graph.add_conditional_edges("model", tools_condition, {"tools": "tools", END: "remember"})
    graph.add_edge("tools", "model")
    graph.add_edge("remember", END)
    return graph.compile()


def main(data_dir: str) -> None:
    with Memoryos(user_id="tom", data_storage_path=data_dir) as memo:
        app = build_graph(memo, scripted_model())
        for turn in [
            "Hi, I'm Tom and I'm allergic to peanuts.",
            "My sister Ana lives in Porto.",
            "What snack should I pack for my trip to Ana?",
        ]:
            # no checkpointer: each turn starts from its own message; memory brings back the conversation
            out = app.invoke({"messages": [HumanMessage(turn)]})
            recalled = [line for line in out["memory_context"].splitlines() if line.startswith(("- ", "["))]
            print(f"user:   {turn}\nrecall: {recalled}\nagent:  {out['messages'][-1].text}\n")
        print("user knowledge:", [fact["text"] for fact in memo.get_knowledge("user")])


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    if len(sys.argv) > 1:
        main(sys.argv[1])
    else:
        with tempfile.TemporaryDirectory(prefix="memoryos-example-") as folder:
            main(folder)
