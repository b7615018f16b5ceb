// @ts-check
// Finding the adapter binary, and the descriptor factory that starts it.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');

const { findAdapter, AdapterNotFoundError } = require('../../src/binary');
const { createAdapterDescriptorFactory } = require('../../src/adapterFactory');
const { createVscodeStub } = require('../support/vscode-stub');

/**
 * A file system where only `executables` exist (as executable files) and
 * `plain` exist without the execute bit.
 * @param {string[]} executables
 * @param {string[]} [plain]
 */
function fakeFs(executables, plain = []) {
    return {
        constants: { X_OK: 1 },
        statSync(/** @type {string} */ p) {
            if (!executables.includes(p) && !plain.includes(p)) throw new Error(`ENOENT ${p}`);
            return { isFile: () => true };
        },
        accessSync(/** @type {string} */ p) {
            if (!executables.includes(p)) throw new Error(`EACCES ${p}`);
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
        fs: fakeFs([]),
    });
    assert.throws(() => factory.createDebugAdapterDescriptor(/** @type {any} */ ({}), undefined), AdapterNotFoundError);
});
