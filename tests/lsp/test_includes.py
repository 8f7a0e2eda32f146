"""Block libraries (format 1.1 `include:`) through the protocol: the included file opens, its
blocks complete, hover, navigate and rename across both files."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from graphspec import check
from tests.lsp.conftest import Doc, apply_edits

pytestmark = pytest.mark.asyncio(loop_scope="session")

LIBRARY = """\
graphspec: 1.1
blocks:
  gate:
    params: {units: null}
    nodes:
      dense: {type: Dense, units: "${units}"}
      scale: {expr: "x * sigmoid(dense)"}
    edges: [x -> dense]
    outputs: [scale]
  norm:
    nodes: {ln: {type: LayerNormalization}}
"""

SPEC = """\
graphspec: 1.1
include: [lib/gates.yaml]
params: {width: 8}
inputs: {x: {shape: [8]}}
nodes:
  g1: {block: gate, units: 8}
  g2: {block: gate, units: "${width}"}
  out: {type: Dense, units: 2}
"""


def _files(tmp_path: Path, spec: str = SPEC, library: str = LIBRARY) -> tuple[Path, Path]:
    (tmp_path / "lib").mkdir(exist_ok=True)
    lib = tmp_path / "lib" / "gates.yaml"
    lib.write_text(library)
    top = tmp_path / "model.yaml"
    top.write_text(spec)
    return top, lib


def _in(text: str, rng: lsp.Range) -> str:
    line = text.split("\n")[rng.start.line]
    return line[rng.start.character : rng.end.character]


async def test_include_path_opens_the_file_and_blocks_complete_and_hover(
    client: LanguageClient, tmp_path: Path
) -> None:
    top, lib = _files(tmp_path)
    doc = Doc(client, top.read_text(), path=top)
    assert not [d for d in await doc.open() if d.severity == lsp.DiagnosticSeverity.Error]

    found = await client.text_document_definition_async(
        lsp.DefinitionParams(text_document=doc.ident(), position=doc.find("gates.yaml"))
    )
    assert isinstance(found, lsp.Location) and found.uri == lib.resolve().as_uri()
    hover = await client.text_document_hover_async(
        lsp.HoverParams(text_document=doc.ident(), position=doc.find("gates.yaml"))
    )
    assert hover is not None and "blocks: `gate`" in hover.contents.value  # type: ignore[union-attr]

    # the block name: definition in the other file, hover says where it comes from
    use = doc.find("block: gate", offset=8)
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(text_document=doc.ident(), position=use)
    )
    assert isinstance(found, lsp.Location) and found.uri == lib.resolve().as_uri()
    assert found.range.start == lsp.Position(2, 2) and _in(LIBRARY, found.range) == "gate"
    hover = await client.text_document_hover_async(
        lsp.HoverParams(text_document=doc.ident(), position=use)
    )
    text = hover.contents.value  # type: ignore[union-attr]
    assert "**block gate**(units)" in text and "2 instances" in text
    assert "from `lib/gates.yaml`" in text
    # a block instance's param: defined in the library, with its default
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(text_document=doc.ident(), position=doc.find("units: 8}"))
    )
    assert isinstance(found, lsp.Location) and found.uri == lib.resolve().as_uri()
    assert _in(LIBRARY, found.range) == "units"

    # completion after `block:` and of the block's params
    await doc.replace(doc.text.replace("out: {type: Dense, units: 2}", "out: {block: g}"))
    items = await client.text_document_completion_async(
        lsp.CompletionParams(text_document=doc.ident(), position=doc.find("block: g}", offset=8))
    )
    assert items is not None and "gate" in [i.label for i in items.items]  # type: ignore[union-attr]
    await doc.replace(doc.text.replace("out: {block: g}", "out: {block: gate, }"))
    items = await client.text_document_completion_async(
        lsp.CompletionParams(text_document=doc.ident(), position=doc.find("gate, }", offset=6))
    )
    assert items is not None and items.items[0].label == "units"  # type: ignore[union-attr]
    doc.close()


async def test_references_and_rename_of_an_included_block_span_both_files(
    client: LanguageClient, tmp_path: Path
) -> None:
    top, lib = _files(tmp_path)
    doc = Doc(client, top.read_text(), path=top)
    await doc.open()
    lib_uri, top_uri = lib.resolve().as_uri(), top.resolve().as_uri()
    use = doc.find("block: gate", offset=8)
    refs = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=doc.ident(),
            position=use,
            context=lsp.ReferenceContext(include_declaration=True),
        )
    )
    assert refs is not None
    assert sorted((r.uri, r.range.start.line) for r in refs) == [
        (lib_uri, 2),
        (top_uri, 5),
        (top_uri, 6),
    ]

    before = check(top)
    edit = await client.text_document_rename_async(
        lsp.RenameParams(text_document=doc.ident(), position=use, new_name="gated")
    )
    assert edit is not None and edit.changes is not None
    assert set(edit.changes) == {lib_uri, top_uri}
    lib.write_text(apply_edits(LIBRARY, edit.changes[lib_uri]))
    top.write_text(apply_edits(SPEC, edit.changes[top_uri]))
    assert "  gated:\n" in lib.read_text() and top.read_text().count("block: gated") == 2
    after = check(top)
    assert after.ok and [d.code for d in after.diagnostics] == [d.code for d in before.diagnostics]
    assert after.shapes is not None and before.shapes is not None
    assert after.shapes.total == before.shapes.total

    # a block param renamed from an instance: the library's params and `${}`, both instances
    await doc.replace(top.read_text())
    edit = await client.text_document_rename_async(
        lsp.RenameParams(text_document=doc.ident(), position=doc.find("units: 8}"), new_name="n")
    )
    assert edit is not None and edit.changes is not None
    assert len(edit.changes[lib_uri]) == 2 and len(edit.changes[top_uri]) == 2
    lib.write_text(apply_edits(lib.read_text(), edit.changes[lib_uri]))
    top.write_text(apply_edits(doc.text, edit.changes[top_uri]))
    assert check(top).ok and '"${n}"' in lib.read_text()
    doc.close()


async def test_renames_refused_with_a_reason(client: LanguageClient, tmp_path: Path) -> None:
    library = LIBRARY.replace('units: "${units}"', 'units: "${units + width}"')
    top, lib = _files(tmp_path, library=library)
    doc = Doc(client, top.read_text(), path=top)
    await doc.open()
    # the spec's param is used by `${}` inside the shared file: renamed only by hand
    with pytest.raises(
        Exception, match=r"also used in the included file `lib/gates\.yaml` \(line 6\)"
    ):
        await client.text_document_rename_async(
            lsp.RenameParams(text_document=doc.ident(), position=doc.find("width"), new_name="w")
        )
    refs = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=doc.ident(),
            position=doc.find("width"),
            context=lsp.ReferenceContext(include_declaration=True),
        )
    )
    assert refs is not None and {r.uri for r in refs} == {doc.uri, lib.resolve().as_uri()}
    # the new name is another block of the included file
    with pytest.raises(Exception, match=r"`norm` is already a name in `lib/gates\.yaml`; pick"):
        await client.text_document_rename_async(
            lsp.RenameParams(
                text_document=doc.ident(),
                position=doc.find("block: gate", offset=8),
                new_name="norm",
            )
        )
    # the library is open in the editor with unsaved changes: save it first
    lib_doc = Doc(client, library + "# unsaved\n", path=lib)
    await lib_doc.open()
    with pytest.raises(
        Exception, match=r"`lib/gates\.yaml` has unsaved changes in the editor; save it"
    ):
        await client.text_document_rename_async(
            lsp.RenameParams(
                text_document=doc.ident(),
                position=doc.find("block: gate", offset=8),
                new_name="g",
            )
        )
    lib_doc.close()
    doc.close()


async def test_rename_from_the_open_library_updates_the_open_specs(
    client: LanguageClient, tmp_path: Path
) -> None:
    top, lib = _files(tmp_path)
    spec_doc = Doc(client, top.read_text(), path=top)
    await spec_doc.open()
    lib_doc = Doc(client, lib.read_text(), path=lib)
    await lib_doc.open()
    edit = await client.text_document_rename_async(
        lsp.RenameParams(
            text_document=lib_doc.ident(), position=lib_doc.find("gate:"), new_name="glu"
        )
    )
    assert edit is not None and edit.changes is not None
    assert {uri: len(e) for uri, e in edit.changes.items()} == {lib_doc.uri: 1, spec_doc.uri: 2}
    spec_doc.close()
    lib_doc.close()


async def test_a_refused_include_is_never_opened(client: LanguageClient, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(LIBRARY)
    (tmp_path / "project").mkdir()
    top, _ = _files(tmp_path / "project", spec=SPEC.replace("lib/gates.yaml", "../outside.yaml"))
    doc = Doc(client, top.read_text(), path=top)
    codes = [d.code for d in await doc.open()]
    assert "E845" in codes
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(text_document=doc.ident(), position=doc.find("outside.yaml"))
    )
    assert found is None
    hover = await client.text_document_hover_async(
        lsp.HoverParams(text_document=doc.ident(), position=doc.find("block: gate", offset=8))
    )
    assert hover is None or "gate**(units)" not in hover.contents.value  # type: ignore[union-attr]
    doc.close()
