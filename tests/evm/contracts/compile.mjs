// Rebuilds the committed artifacts of this folder's contracts:
//   npm install --no-save solc@0.8.24 && node compile.mjs
// (run from this folder; solc is not needed to run the tests, only to rebuild these).
import fs from "node:fs";
import { createRequire } from "node:module";
const solc = createRequire(import.meta.url)("solc");
const sources = {};
for (const file of ["TestToken.sol", "PairRouter.sol"]) {
  sources[file] = { content: fs.readFileSync(file, "utf8") };
}
const input = {
  language: "Solidity",
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "paris",
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
for (const error of output.errors ?? []) {
  console.error(error.formattedMessage);
  if (error.severity === "error") process.exit(1);
}
for (const [file, contracts] of Object.entries(output.contracts)) {
  for (const [name, contract] of Object.entries(contracts)) {
    const artifact = { contractName: name, source: file, compiler: solc.version(),
                       abi: contract.abi, bytecode: "0x" + contract.evm.bytecode.object };
    fs.writeFileSync(`${name}.json`, JSON.stringify(artifact, null, 1) + "\n");
    console.log(`${name}.json`);
  }
}
