// The graphspec extension: starts `graphspec lsp` for YAML files and lets VS Code's LSP client do the rest.
"use strict";
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("graphspec").get("command");
  const server = { command, args, transport: TransportKind.stdio };
  client = new LanguageClient(
    "graphspec",
    "graphspec",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "yaml" }, { scheme: "untitled", language: "yaml" }] }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
