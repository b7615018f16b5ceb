// @ts-check
// Finding the isvdbg binary: the isvdbg.path setting, then the binary
// bundled in the extension's bin/ folder (only when it was built for this
// platform), then isvdbg on PATH.
'use strict';

const path = require('node:path');

/**
 * @typedef {object} LookupFs
 * @property {(p: string, mode?: number) => void} accessSync
 * @property {(p: string) => {isFile(): boolean}} statSync
 * @property {(p: string, encoding: 'utf8') => string} readFileSync
 * @property {{X_OK: number}} constants
 */

/**
 * @typedef {object} Lookup
 * @property {string | undefined} configuredPath the isvdbg.path setting
 * @property {string} extensionPath the extension's install folder
 * @property {Record<string, string | undefined>} env the process environment (PATH, PATHEXT, HOME)
 * @property {NodeJS.Platform} platform
 * @property {string} arch such as `x64` (process.arch)
 * @property {LookupFs} fs
 * @property {string} [workspaceFolder] for a relative isvdbg.path
 */

/** @typedef {{command: string, source: 'setting' | 'bundled' | 'path'}} Found */

/** Why no binary could be used; the message says where we looked and how to fix it. */
class AdapterNotFoundError extends Error {
    /** @param {string} message */
    constructor(message) {
        super(message);
        this.name = 'AdapterNotFoundError';
    }
}

/**
 * The file next to the bundled binary that names the platform it was built
 * for: `{"target": "linux-x64"}`, written when the .vsix is packaged.
 */
const TARGET_FILE = 'target.json';

/**
 * The VS Code target platform (as `vsce package --target` spells it) of a
 * Node.js platform and architecture: `linux-x64`, `darwin-arm64`,
 * `win32-x64`, `linux-armhf`.
 * @param {string} platform process.platform
 * @param {string} arch process.arch
 */
function targetOf(platform, arch) {
    return `${platform}-${arch === 'arm' ? 'armhf' : arch}`;
}

/**
 * The target the bundled binary was built for, or why it is unknown.
 * @param {LookupFs} fs
 * @param {string} file the target file
 * @returns {{target: string} | {unknown: string}}
 */
function bundledTarget(fs, file) {
    let text;
    try {
        text = fs.readFileSync(file, 'utf8');
    } catch {
        return { unknown: `${file} is missing` };
    }
    try {
        const target = JSON.parse(text).target;
        if (typeof target === 'string' && target) return { target };
    } catch {
        // Reported below.
    }
    return { unknown: `${file} does not name a target` };
}

/** @param {NodeJS.Platform} platform */
function exeName(platform) {
    return platform === 'win32' ? 'isvdbg.exe' : 'isvdbg';
}

/**
 * @param {LookupFs} fs
 * @param {string} file
 * @param {NodeJS.Platform} platform
 */
function isExecutable(fs, file, platform) {
    try {
        if (!fs.statSync(file).isFile()) return false;
        // Windows has no execute bit; a file is enough there.
        if (platform !== 'win32') fs.accessSync(file, fs.constants.X_OK);
        return true;
    } catch {
        return false;
    }
}

/**
 * The path a setting names: `~` is the home folder; a relative path is
 * taken from the workspace folder.
 * @param {string} value
 * @param {Lookup} lookup
 */
function settingPath(value, lookup) {
    const p = lookup.platform === 'win32' ? path.win32 : path.posix;
    const home = lookup.env.HOME ?? lookup.env.USERPROFILE;
    let expanded = value.trim();
    if ((expanded === '~' || expanded.startsWith('~/')) && home) {
        expanded = p.join(home, expanded.slice(1));
    }
    if (!p.isAbsolute(expanded) && lookup.workspaceFolder) {
        expanded = p.join(lookup.workspaceFolder, expanded);
    }
    return expanded;
}

const FIX =
    'Build it with `cargo build --release` in the isvdbg repository and set isvdbg.path to ' +
    'target/release/isvdbg, put isvdbg on your PATH, or install a .vsix that bundles it.';

/**
 * Finds the isvdbg binary. An isvdbg.path setting that names no executable
 * is an error rather than a reason to fall back: running another binary
 * than the one configured would mislead.
 * @param {Lookup} lookup
 * @returns {Found}
 */
function findAdapter(lookup) {
    const { platform, fs, env } = lookup;
    const p = platform === 'win32' ? path.win32 : path.posix;
    const configured = lookup.configuredPath?.trim();
    if (configured) {
        const file = settingPath(configured, lookup);
        if (isExecutable(fs, file, platform)) return { command: file, source: 'setting' };
        throw new AdapterNotFoundError(
            `The isvdbg.path setting names ${file}, which is not an executable file. ` +
                `Correct the setting, or clear it to use the bundled binary or isvdbg on PATH. ${FIX}`,
        );
    }
    const bundled = p.join(lookup.extensionPath, 'bin', exeName(platform));
    let bundledState = 'not there';
    if (isExecutable(fs, bundled, platform)) {
        // A binary for another platform would start with ENOEXEC: skip it.
        const here = targetOf(platform, lookup.arch);
        const built = bundledTarget(fs, p.join(lookup.extensionPath, 'bin', TARGET_FILE));
        if ('target' in built && built.target === here) return { command: bundled, source: 'bundled' };
        bundledState = 'target' in built ? `built for ${built.target}, not ${here}` : `not used: ${built.unknown}`;
    }

    const dirs = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : ':').filter(Boolean);
    for (const dir of dirs) {
        const file = p.join(dir, exeName(platform));
        if (isExecutable(fs, file, platform)) return { command: file, source: 'path' };
    }
    const searched = dirs.length > 0 ? dirs.join(platform === 'win32' ? ';' : ':') : '(PATH is empty)';
    throw new AdapterNotFoundError(
        'Cannot find the isvdbg debug adapter. Looked at: the isvdbg.path setting (not set); ' +
            `the bundled binary ${bundled} (${bundledState}); isvdbg on PATH (${searched}). ${FIX}`,
    );
}

module.exports = { findAdapter, targetOf, AdapterNotFoundError, TARGET_FILE };
