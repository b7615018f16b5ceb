#!/usr/bin/env node
// @ts-check
// Regenerates contributes.debuggers[apex-isv].configurationAttributes in
// package.json from the launch and attach types of the Rust adapter, so the
// schema VS Code shows has one source of truth: `isvdbg dap --print-schema`.
//
//   node scripts/gen-schema.js              rewrite package.json
//   node scripts/gen-schema.js --out FILE   write the regenerated package.json to FILE
//   node scripts/gen-schema.js --check      exit 1 when package.json is out of date
//
// The binary is $ISVDBG_BIN when set, else `cargo run --bin isvdbg` in the
// repository.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const EXTENSION_DIR = path.resolve(__dirname, '..');
const REPO_DIR = path.resolve(EXTENSION_DIR, '..');
const MANIFEST = path.join(EXTENSION_DIR, 'package.json');
const DEBUG_TYPE = 'apex-isv';

/** Runs the adapter's --print-schema and returns `{launch, attach}`. */
function printSchema() {
    const bin = process.env.ISVDBG_BIN;
    const [command, args] = bin
        ? [bin, ['dap', '--print-schema']]
        : ['cargo', ['run', '--quiet', '--bin', 'isvdbg', '--', 'dap', '--print-schema']];
    let stdout;
    try {
        stdout = execFileSync(command, args, {
            cwd: REPO_DIR,
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'inherit'],
        });
    } catch (e) {
        const how = bin ? `ISVDBG_BIN=${bin}` : 'cargo run --bin isvdbg';
        throw new Error(`could not run ${how} dap --print-schema: ${/** @type {Error} */ (e).message}`);
    }
    const schemas = JSON.parse(stdout);
    if (!schemas.launch || !schemas.attach) {
        throw new Error('isvdbg dap --print-schema printed no "launch" or "attach" schema');
    }
    return { launch: schemas.launch, attach: schemas.attach };
}

/**
 * The manifest text with the generated attributes in place.
 * @param {string} manifestText
 * @param {{launch: unknown, attach: unknown}} schemas
 */
function regenerate(manifestText, schemas) {
    const manifest = JSON.parse(manifestText);
    const debuggers = manifest.contributes?.debuggers ?? [];
    const debuggerEntry = debuggers.find((/** @type {{type: string}} */ d) => d.type === DEBUG_TYPE);
    if (!debuggerEntry) {
        throw new Error(`package.json contributes no debugger of type ${DEBUG_TYPE}`);
    }
    debuggerEntry.configurationAttributes = schemas;
    return `${JSON.stringify(manifest, null, 2)}\n`;
}

function main() {
    const argv = process.argv.slice(2);
    const current = fs.readFileSync(MANIFEST, 'utf8');
    const next = regenerate(current, printSchema());
    if (argv[0] === '--check') {
        if (next !== current) {
            console.error(
                'gen-schema: package.json configurationAttributes are out of date with ' +
                    '`isvdbg dap --print-schema`; run `node scripts/gen-schema.js` in vscode-extension/ and commit',
            );
            process.exit(1);
        }
        return;
    }
    if (argv[0] === '--out') {
        if (!argv[1]) throw new Error('--out needs a file name');
        fs.writeFileSync(argv[1], next);
        return;
    }
    if (argv.length > 0) throw new Error(`unknown option ${argv[0]}; use --check or --out FILE`);
    fs.writeFileSync(MANIFEST, next);
}

if (require.main === module) {
    try {
        main();
    } catch (e) {
        console.error(`gen-schema: ${/** @type {Error} */ (e).message}`);
        process.exit(1);
    }
}

module.exports = { regenerate, DEBUG_TYPE };
