#!/usr/bin/env node
// @ts-check
// Checks a packaged .vsix: it holds the manifest with the generated launch
// and attach attributes, the extension's code, and no tests or dev modules.
//
//   node scripts/check-vsix.js isvdbg-0.1.0.vsix [--expect-bin TARGET]
//
// With --expect-bin, it also holds bin/isvdbg and bin/target.json naming
// TARGET (such as linux-x64), and the package is for that platform only.
//
// Reads the zip with node alone (central directory + raw inflate), so a
// machine without unzip can run it.
'use strict';

const fs = require('node:fs');
const zlib = require('node:zlib');

/**
 * The entries of a zip file: name → contents.
 * @param {Buffer} zip
 * @returns {Map<string, () => Buffer>}
 */
function readZip(zip) {
    const EOCD = 0x06054b50;
    let end = zip.length - 22;
    while (end >= 0 && zip.readUInt32LE(end) !== EOCD) end--;
    if (end < 0) throw new Error('not a zip file (no end of central directory)');
    const count = zip.readUInt16LE(end + 10);
    let at = zip.readUInt32LE(end + 16);
    /** @type {Map<string, () => Buffer>} */
    const entries = new Map();
    for (let i = 0; i < count; i++) {
        if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('corrupt central directory');
        const method = zip.readUInt16LE(at + 10);
        const compressedSize = zip.readUInt32LE(at + 20);
        const nameLength = zip.readUInt16LE(at + 28);
        const extraLength = zip.readUInt16LE(at + 30);
        const commentLength = zip.readUInt16LE(at + 32);
        const localHeader = zip.readUInt32LE(at + 42);
        const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
        entries.set(name, () => {
            const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
            const data = zip.subarray(dataStart, dataStart + compressedSize);
            if (method === 0) return data;
            if (method === 8) return zlib.inflateRawSync(data);
            throw new Error(`${name}: unsupported compression method ${method}`);
        });
        at += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
}

/**
 * The problems with a .vsix, empty when it is good.
 * @param {Buffer} vsix
 * @param {{expectBin?: string}} options expectBin: the target the bundled binary is for
 */
function vsixProblems(vsix, { expectBin }) {
    const entries = readZip(vsix);
    const problems = [];
    const manifestEntry = entries.get('extension/package.json');
    if (!manifestEntry) return ['no extension/package.json'];
    const manifest = JSON.parse(manifestEntry().toString('utf8'));
    const debuggerEntry = manifest.contributes?.debuggers?.find((/** @type {any} */ d) => d.type === 'apex-isv');
    const attributes = debuggerEntry?.configurationAttributes;
    if (!attributes?.launch?.properties?.salesforceProject || !attributes?.attach?.properties?.sessionId) {
        problems.push('package.json lacks the generated configurationAttributes (launch and attach)');
    }
    for (const file of ['extension/src/extension.js', 'extension/language-configuration.json', 'extension/LICENSE.txt']) {
        if (!entries.has(file) && !(file.endsWith('LICENSE.txt') && entries.has('extension/LICENSE'))) {
            problems.push(`missing ${file}`);
        }
    }
    for (const name of entries.keys()) {
        if (name.startsWith('extension/test/') || name.startsWith('extension/node_modules/') || name.startsWith('extension/scripts/')) {
            problems.push(`should not be packaged: ${name}`);
        }
    }
    if (expectBin) {
        if (!entries.has('extension/bin/isvdbg') && !entries.has('extension/bin/isvdbg.exe')) {
            problems.push('missing extension/bin/isvdbg');
        }
        const targetEntry = entries.get('extension/bin/target.json');
        const named = targetEntry ? JSON.parse(targetEntry().toString('utf8')).target : undefined;
        if (named !== expectBin) {
            problems.push(`extension/bin/target.json names ${named ?? 'nothing'}, not ${expectBin}`);
        }
        const vsixManifest = entries.get('extension.vsixmanifest')?.().toString('utf8') ?? '';
        const platform = /TargetPlatform="([^"]*)"/.exec(vsixManifest)?.[1];
        if (platform !== expectBin) {
            problems.push(
                `the package is for ${platform ?? 'every platform'}, not only ${expectBin}: package it with vsce package --target ${expectBin}`,
            );
        }
    }
    return problems;
}

if (require.main === module) {
    const [file, flag, target] = process.argv.slice(2);
    if (!file || (flag !== undefined && (flag !== '--expect-bin' || !target))) {
        console.error('usage: node scripts/check-vsix.js FILE.vsix [--expect-bin TARGET]');
        process.exit(2);
    }
    const problems = vsixProblems(fs.readFileSync(file), { expectBin: target });
    if (problems.length > 0) {
        for (const p of problems) console.error(`check-vsix: ${file}: ${p}`);
        process.exit(1);
    }
    console.log(`check-vsix: ${file} holds the manifest with its launch and attach attributes`);
}

module.exports = { readZip, vsixProblems };
