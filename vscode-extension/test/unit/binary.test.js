// @ts-check
// Finding the adapter binary, and the descriptor factory that starts it.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');

const { findAdapter, targetOf, AdapterNotFoundError } = require('../../src/binary');
const { createAdapterDescriptorFactory } = require('../../src/adapterFactory');
const { createVscodeStub } = require('../support/vscode-stub');

/** The target file of a bundled binary built for `target`. */
const BUILT_FOR = (/** @type {string} */ target) => ({ '/ext/bin/target.json': JSON.stringify({ target }) });

/**
 * A file system where only `executables` exist (as executable files),
 * `plain` exist without the execute bit, and `texts` can be read. By
 * default the bundled binary's target file says linux-x64.
 * @param {string[]} executables
 * @param {string[]} [plain]
 * @param {Record<string, string>} [texts]
 */
function fakeFs(executables, plain = [], texts = BUILT_FOR('linux-x64')) {
    return {
        constants: { X_OK: 1 },
        statSync(/** @type {string} */ p) {
            if (!executables.includes(p) && !plain.includes(p)) throw new Error(`ENOENT ${p}`);
            return { isFile: () => true };
        },
        accessSync(/** @type {string} */ p) {
            if (!executables.includes(p)) throw new Error(`EACCES ${p}`);
        },
        readFileSync(/** @type {string} */ p) {
            const text = texts[p];
            if (text === undefined) throw new Error(`ENOENT ${p}`);
            return text;
        },
    };
}

/** @param {Partial<import('../../src/binary').Lookup>} over */
function lookup(over) {
    return {
        configuredPath: undefined,
        extensionPath: '/ext',
        env: { PATH: '/usr/local/bin:/usr/bin', HOME: '/home/me' },
        platform: /** @type {NodeJS.Platform} */ ('linux'),
        arch: 'x64',
        fs: fakeFs([]),
        ...over,
    };
}

test('the setting comes first, then the bundled binary, then PATH', () => {
    const all = ['/opt/isvdbg', '/ext/bin/isvdbg', '/usr/bin/isvdbg'];
    assert.deepEqual(findAdapter(lookup({ configuredPath: '/opt/isvdbg', fs: fakeFs(all) })), {
        command: '/opt/isvdbg',
        source: 'setting',
    });
    assert.deepEqual(findAdapter(lookup({ fs: fakeFs(all) })), { command: '/ext/bin/isvdbg', source: 'bundled' });
    assert.deepEqual(findAdapter(lookup({ fs: fakeFs(['/usr/bin/isvdbg']) })), {
        command: '/usr/bin/isvdbg',
        source: 'path',
    });
});

test('PATH is searched in order and skips files that are not executable', () => {
    const fs = fakeFs(['/usr/bin/isvdbg'], ['/usr/local/bin/isvdbg']);
    assert.equal(findAdapter(lookup({ fs })).command, '/usr/bin/isvdbg');
});

test('a setting with ~ or a relative path', () => {
    const fs = fakeFs(['/home/me/isvdbg/target/release/isvdbg', '/work/proj/bin/isvdbg']);
    assert.equal(findAdapter(lookup({ configuredPath: '~/isvdbg/target/release/isvdbg', fs })).command, '/home/me/isvdbg/target/release/isvdbg');
    assert.equal(findAdapter(lookup({ configuredPath: 'bin/isvdbg', workspaceFolder: '/work/proj', fs })).command, '/work/proj/bin/isvdbg');
});

test('a setting that names no executable is an error, not a fallback', () => {
    const fs = fakeFs(['/ext/bin/isvdbg']);
    assert.throws(
        () => findAdapter(lookup({ configuredPath: '/opt/missing', fs })),
        (/** @type {Error} */ e) =>
            e instanceof AdapterNotFoundError &&
            e.message.startsWith('The isvdbg.path setting names /opt/missing, which is not an executable file.') &&
            e.message.includes('clear it to use the bundled binary'),
    );
});

test('when nothing is found, the message says where it looked and how to fix it', () => {
    assert.throws(
        () => findAdapter(lookup({})),
        (/** @type {Error} */ e) => {
            assert.equal(
                e.message,
                'Cannot find the isvdbg debug adapter. Looked at: the isvdbg.path setting (not set); ' +
                    'the bundled binary /ext/bin/isvdbg (not there); isvdbg on PATH (/usr/local/bin:/usr/bin). ' +
                    'Build it with `cargo build --release` in the isvdbg repository and set isvdbg.path to ' +
                    'target/release/isvdbg, put isvdbg on your PATH, or install a .vsix that bundles it.',
            );
            return true;
        },
    );
    assert.throws(() => findAdapter(lookup({ env: {} })), /isvdbg on PATH \(\(PATH is empty\)\)/);
});

test('a bundled binary built for another platform is skipped for the one on PATH', () => {
    const both = ['/ext/bin/isvdbg', '/usr/bin/isvdbg'];
    // A .vsix packaged on Linux, installed on an Apple silicon Mac.
    const mac = { platform: /** @type {NodeJS.Platform} */ ('darwin'), arch: 'arm64' };
    assert.deepEqual(findAdapter(lookup({ ...mac, fs: fakeFs(both) })), { command: '/usr/bin/isvdbg', source: 'path' });
    // The same platform on another architecture.
    assert.equal(findAdapter(lookup({ arch: 'arm64', fs: fakeFs(both) })).source, 'path');
    // Nothing on PATH: the message says why the bundled binary was not used.
    assert.throws(
        () => findAdapter(lookup({ ...mac, fs: fakeFs(['/ext/bin/isvdbg']) })),
        (/** @type {Error} */ e) =>
            e instanceof AdapterNotFoundError &&
            e.message.includes('the bundled binary /ext/bin/isvdbg (built for linux-x64, not darwin-arm64)'),
    );
});

test('a bundled binary whose target is unknown is not used', () => {
    const both = ['/ext/bin/isvdbg', '/usr/bin/isvdbg'];
    assert.equal(findAdapter(lookup({ fs: fakeFs(both, [], {}) })).source, 'path');
    assert.equal(findAdapter(lookup({ fs: fakeFs(both, [], { '/ext/bin/target.json': 'not json' }) })).source, 'path');
    assert.throws(
        () => findAdapter(lookup({ fs: fakeFs(['/ext/bin/isvdbg'], [], {}) })),
        /the bundled binary \/ext\/bin\/isvdbg \(not used: \/ext\/bin\/target\.json is missing\)/,
    );
});

test('targets are spelt as vsce package --target spells them', () => {
    assert.equal(targetOf('linux', 'x64'), 'linux-x64');
    assert.equal(targetOf('darwin', 'arm64'), 'darwin-arm64');
    assert.equal(targetOf('win32', 'x64'), 'win32-x64');
    assert.equal(targetOf('linux', 'arm'), 'linux-armhf');
});

test('Windows: isvdbg.exe, ; in PATH, no execute bit', () => {
    const fs = fakeFs([], ['C:\\tools\\isvdbg.exe']);
    const found = findAdapter(
        lookup({ platform: 'win32', extensionPath: 'C:\\ext', env: { Path: 'C:\\Windows;C:\\tools' }, fs }),
    );
    assert.deepEqual(found, { command: 'C:\\tools\\isvdbg.exe', source: 'path' });
});

test('the factory starts `isvdbg dap` with the binary found', () => {
    const vscode = createVscodeStub();
    const factory = createAdapterDescriptorFactory(/** @type {any} */ (vscode), {
        configuredPath: () => '',
        extensionPath: '/ext',
        env: { PATH: '/usr/bin' },
        platform: 'linux',
        arch: 'x64',
        fs: fakeFs(['/ext/bin/isvdbg']),
    });
    const descriptor = /** @type {any} */ (factory.createDebugAdapterDescriptor(/** @type {any} */ ({}), undefined));
    assert.ok(descriptor instanceof vscode.DebugAdapterExecutable);
    assert.equal(descriptor.command, '/ext/bin/isvdbg');
    assert.deepEqual(descriptor.args, ['dap']);
});

test('the factory throws the not-found message for VS Code to show', () => {
    const vscode = createVscodeStub();
    const factory = createAdapterDescriptorFactory(/** @type {any} */ (vscode), {
        configuredPath: () => undefined,
        extensionPath: '/ext',
        env: {},
        platform: 'linux',
        arch: 'x64',
        fs: fakeFs([]),
    });
    assert.throws(() => factory.createDebugAdapterDescriptor(/** @type {any} */ ({}), undefined), AdapterNotFoundError);
});
