"""The one operation walker and security reading that every wing uses."""

from __future__ import annotations

from generator.core.operations import Credential, iter_operations, security_of

DOC = {
    "openapi": "3.1.0",
    "security": [{"key": []}],
    "components": {
        "securitySchemes": {
            "key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            "token": {"type": "http", "scheme": "Bearer"},
            "oauth": {"type": "oauth2", "flows": {}},
        }
    },
    "paths": {
        "/v1/b": {"post": {"operationId": "b"}, "get": {"operationId": "a"}, "summary": "x"},
        "/v1/broken": "not an object",
        "/v1/c": {"trace": {"operationId": "t"}, "delete": "not an operation"},
    },
}


def test_operations_come_in_document_path_order_and_method_order() -> None:
    walked = [(path, method, op["operationId"]) for path, method, op in iter_operations(DOC)]
    assert walked == [("/v1/b", "get", "a"), ("/v1/b", "post", "b")]


def test_a_document_without_paths_has_no_operations() -> None:
    assert list(iter_operations({"openapi": "3.1.0"})) == []
    assert list(iter_operations(["not", "a", "document"])) == []


def test_header_names_are_lower_cased_for_every_consumer() -> None:
    security = security_of(DOC, {})
    assert security.credentials == (Credential("header", "x-api-key"),)
    assert [c.wire for c in security.credentials] == ["header:x-api-key"]


def test_an_operation_s_own_requirements_replace_the_document_s() -> None:
    op = {"security": [{"token": []}, {"oauth": []}, {"missing": []}]}
    security = security_of(DOC, op)
    assert [c.wire for c in security.credentials] == ["bearer"]
    assert security.unsupported == ("oauth",)
    assert security.unknown == ("missing",)
    assert security_of(DOC, {"security": []}).credentials == ()
