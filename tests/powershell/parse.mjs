// Prints {"errors": [...]} for a PowerShell file: every ERROR or MISSING node tree-sitter's grammar finds.
import fs from "fs";
import Parser from "tree-sitter";
import PowerShell from "tree-sitter-powershell/bindings/node/index.js";

const source = fs.readFileSync(process.argv[2], "utf8");
const parser = new Parser();
parser.setLanguage(PowerShell);
const errors = [];
(function walk(node) {
  if (node.type === "ERROR" || node.isMissing) {
    const text = source.slice(node.startIndex, Math.min(node.endIndex, node.startIndex + 60)).replace(/\s+/g, " ");
    errors.push(`${node.startPosition.row + 1}:${node.startPosition.column + 1} ${node.type} ${text}`);
  }
  for (let i = 0; i < node.childCount; i++) walk(node.child(i));
})(parser.parse(source).rootNode);
console.log(JSON.stringify({ errors }));
