"""Text that came from memory, users or errors, made safe to show on a terminal.

Stored text is data: on a terminal it must appear as the characters it is, never act. Control characters (ESC
sequences that retitle the window or clear the screen, BEL, carriage returns that overwrite a line, C1 codes)
and the invisible characters that reorder a line (bidi overrides) are shown as escapes such as `\\x1b`; newlines
and tabs are kept. Markup is not this module's business: the CLI prints such text through Rich `Text` objects,
which never interpret `[...]`.
"""

from __future__ import annotations

import json
import re

# C0 controls but tab and newline, DEL, C1 controls; bidi embeddings, overrides, isolates and marks; line and
# paragraph separators (terminals draw them as nothing, or as a line break that the layout did not plan)
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: object, *, keep_newlines: bool = True) -> str:
    """`text` (any object, as `str()`) with every character that would act on a terminal shown as an escape.
    Newlines and tabs are kept unless `keep_newlines` is false (then they are escaped too)."""
    value = str(text)
    if not keep_newlines:
        value = value.replace("\t", "\\t").replace("\n", "\\n")
    return _UNSAFE.sub(_escape, value)


# what json.dumps(ensure_ascii=False) leaves raw that a terminal may act on (it always escapes C0 itself)
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def json_for_terminal(data: object) -> str:
    """`data` as indented JSON (non-ASCII kept readable) in which no character acts on a terminal: the ones
    json.dumps leaves raw are written as \\u escapes, so the document parses to exactly the same value."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
