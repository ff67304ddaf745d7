// Starts `searchlight lsp` for the YAML files that are specs (setting `searchlight.specs`).
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

exports.activate = () => {
  const config = vscode.workspace.getConfiguration("searchlight");
  client = new LanguageClient(
    "searchlight",
    "searchlight",
    { command: config.get("path"), args: ["lsp"] },
    { documentSelector: [{ language: "yaml", pattern: config.get("specs") }] },
  );
  return client.start();
};

exports.deactivate = () => client && client.stop();
