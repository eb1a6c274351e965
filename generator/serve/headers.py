"""The headers that steer the reference server, and the ones it answers with."""

from __future__ import annotations

__all__ = [
    "ATTEMPT_HEADER",
    "CHUNK_HEADER",
    "DELAY_HEADER",
    "EXAMPLE_HEADER",
    "FAULT_HEADER",
    "KEY_HEADER",
    "REPLAY_HEADER",
    "REQUEST_ID_HEADER",
    "SCENARIO_HEADER",
    "TOOL_CALLS_HEADER",
]

FAULT_HEADER = "x-sdkforge-fault"
KEY_HEADER = "x-sdkforge-key"
EXAMPLE_HEADER = "x-sdkforge-example"
REPLAY_HEADER = "x-sdkforge-replay"
SCENARIO_HEADER = "x-sdkforge-scenario"
TOOL_CALLS_HEADER = "x-sdkforge-tool-calls"
DELAY_HEADER = "x-sdkforge-event-delay-ms"
CHUNK_HEADER = "x-sdkforge-chunk-bytes"
ATTEMPT_HEADER = "x-sdkforge-attempt"
REQUEST_ID_HEADER = "x-request-id"
