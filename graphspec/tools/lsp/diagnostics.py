"""Diagnostics (``textDocument/publishDiagnostics``) on open and change: documents kept in sync."""

from __future__ import annotations

from lsprotocol import types as lsp

from graphspec.tools.lsp.features import feature
from graphspec.tools.lsp.server import GraphspecServer

__all__ = ["did_change", "did_close", "did_open", "did_save"]


@feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: GraphspecServer, params: lsp.DidOpenTextDocumentParams) -> None:
    ls.request_check(params.text_document.uri)


@feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: GraphspecServer, params: lsp.DidChangeTextDocumentParams) -> None:
    ls.request_check(params.text_document.uri)


@feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: GraphspecServer, params: lsp.DidSaveTextDocumentParams) -> None:
    if ls.analysis(params.text_document.uri) is None:
        ls.request_check(params.text_document.uri)


@feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: GraphspecServer, params: lsp.DidCloseTextDocumentParams) -> None:
    ls.forget(params.text_document.uri)
