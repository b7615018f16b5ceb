// @ts-check
// The commands against a stub VS Code and a scripted debug session.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { EventEmitter } = require('node:events');

const { runApex, codeToRun } = require('../../src/commands/runApex');
const { showDebugLog } = require('../../src/commands/showDebugLog');
const { setupProject, setupInvocation } = require('../../src/commands/setupProject');
const { IsvSessions } = require('../../src/sessions');
const { createVscodeStub, callsTo } = require('../support/vscode-stub');

/**
 * A debug session answering custom requests from `replies` and recording them.
 * @param {Record<string, unknown>} replies
 */
function fakeSession(replies) {
    /** @type {[string, unknown][]} */
    const requests = [];
    return {
        requests,
        customRequest(/** @type {string} */ command, /** @type {unknown} */ args) {
            requests.push([command, args]);
            const reply = replies[command];
            return reply instanceof Error ? Promise.reject(reply) : Promise.resolve(reply);
        },
    };
}

/** An editor over `text` with `selected` (a substring) selected, or nothing. */
function fakeEditor(/** @type {string} */ text, /** @type {string} */ selected = '') {
    return {
        selection: { isEmpty: selected === '' },
        document: { getText: (/** @type {unknown} */ range) => (range ? selected : text) },
    };
}

function fakeOutput() {
    /** @type {string[]} */
    const lines = [];
    return { lines, appendLine: (/** @type {string} */ l) => lines.push(l), show() {} };
}

const FILE = "Account a = [SELECT Id FROM Account LIMIT 1];\nSystem.debug(a);\n";

test('the selection runs when there is one, else the whole file', () => {
    assert.equal(codeToRun(/** @type {any} */ (fakeEditor(FILE))), FILE);
    assert.equal(codeToRun(/** @type {any} */ (fakeEditor(FILE, 'System.debug(a);'))), 'System.debug(a);');
    assert.equal(codeToRun(/** @type {any} */ (fakeEditor(FILE, '   '))), FILE);
});

test('Run Apex sends isv/runApex and shows the result', async () => {
    const vscode = createVscodeStub({ activeTextEditor: fakeEditor(FILE, 'System.debug(1);') });
    const session = fakeSession({ 'isv/runApex': { requestId: 'R-7', success: true, output: '1' } });
    const output = fakeOutput();
    await runApex(/** @type {any} */ (vscode), session, output);
    assert.deepEqual(session.requests, [['isv/runApex', { code: 'System.debug(1);' }]]);
    assert.deepEqual(callsTo(vscode, 'showInformationMessage'), [['Apex ran as request R-7.', 'Show Debug Log']]);
    assert.deepEqual(output.lines, ['── request R-7: succeeded', '1']);
});

test('Run Apex prints the adapter\'s debug lines and its exception', async () => {
    const vscode = createVscodeStub({ activeTextEditor: fakeEditor(FILE) });
    const session = fakeSession({
        'isv/runApex': {
            requestId: '9',
            success: false,
            output: [{ line: 2, level: 'DEBUG', message: 'before' }],
            exception: { typeName: 'System.NullPointerException', message: 'Attempt to de-reference a null object', stack: 'AnonymousBlock: line 3, column 1' },
        },
    });
    const output = fakeOutput();
    await runApex(/** @type {any} */ (vscode), session, output);
    assert.deepEqual(output.lines, ['── request 9: failed', '2|DEBUG|before']);
    assert.deepEqual(callsTo(vscode, 'showErrorMessage'), [
        ['Apex request 9 failed: System.NullPointerException: Attempt to de-reference a null object', 'Show Debug Log'],
    ]);
});

test('Run Apex says so when the request stops in the debugger first', async () => {
    const vscode = createVscodeStub({ activeTextEditor: fakeEditor(FILE) });
    const session = fakeSession({ 'isv/runApex': { requestId: '4', paused: true } });
    const output = fakeOutput();
    await runApex(/** @type {any} */ (vscode), session, output);
    assert.deepEqual(output.lines, ['── request 4: stopped in the debugger; it finishes when you continue']);
    assert.deepEqual(callsTo(vscode, 'showErrorMessage'), []);
    assert.deepEqual(callsTo(vscode, 'showInformationMessage'), []);
});

test('a failed request shows its first line and can open its log', async () => {
    const vscode = createVscodeStub({ activeTextEditor: fakeEditor(FILE), answers: ['Show Debug Log'] });
    const session = fakeSession({
        'isv/runApex': { requestId: 'R-8', success: false, output: '\nSystem.NullPointerException: Attempt to de-reference a null object\nat line 2' },
        'isv/debugLog': { text: '58.0 APEX_CODE,FINEST\n' },
    });
    await runApex(/** @type {any} */ (vscode), session, fakeOutput());
    assert.deepEqual(callsTo(vscode, 'showErrorMessage'), [
        ['Apex request R-8 failed: System.NullPointerException: Attempt to de-reference a null object', 'Show Debug Log'],
    ]);
    assert.deepEqual(session.requests[1], ['isv/debugLog', { requestId: 'R-8', view: 'full' }]);
    assert.deepEqual(callsTo(vscode, 'openTextDocument'), [[{ content: '58.0 APEX_CODE,FINEST\n', language: 'apexlog' }]]);
});

test('Run Apex explains what is missing', async () => {
    const noEditor = createVscodeStub();
    await runApex(/** @type {any} */ (noEditor), fakeSession({}), fakeOutput());
    assert.match(String(callsTo(noEditor, 'showErrorMessage')[0][0]), /^Open an Apex file/);

    const empty = createVscodeStub({ activeTextEditor: fakeEditor('  \n') });
    await runApex(/** @type {any} */ (empty), fakeSession({}), fakeOutput());
    assert.match(String(callsTo(empty, 'showErrorMessage')[0][0]), /^There is no Apex to run/);

    const refused = createVscodeStub({ activeTextEditor: fakeEditor(FILE) });
    await runApex(/** @type {any} */ (refused), fakeSession({ 'isv/runApex': new Error('Too many concurrent debugged requests') }), fakeOutput());
    assert.deepEqual(callsTo(refused, 'showErrorMessage'), [['Run Apex failed: Too many concurrent debugged requests']]);
});

test('Show Debug Log picks a request, newest first, and opens its full log', async () => {
    const requests = [
        { id: 'R-1', type: 'EXECUTE_ANONYMOUS', entryPoint: 'execute_anonymous_apex', status: 'Success' },
        { id: 'R-2', type: 'REST', entryPoint: '/acme/invoices/a01', status: 'Failed' },
    ];
    const vscode = createVscodeStub();
    /** @type {unknown[]} */
    let offered = [];
    vscode.window.showQuickPick = (/** @type {any} */ items) => {
        offered = items;
        return Promise.resolve(items[1]);
    };
    const session = fakeSession({ 'isv/requests': { requests }, 'isv/debugLog': { text: 'LOG' } });
    await showDebugLog(/** @type {any} */ (vscode), session);
    assert.deepEqual(
        offered.map((/** @type {any} */ i) => [i.label, i.description, i.detail]),
        [
            ['/acme/invoices/a01', 'REST · Failed', 'R-2'],
            ['execute_anonymous_apex', 'EXECUTE_ANONYMOUS · Success', 'R-1'],
        ],
    );
    assert.deepEqual(session.requests, [
        ['isv/requests', undefined],
        ['isv/debugLog', { requestId: 'R-1', view: 'full' }],
    ]);
    assert.deepEqual(callsTo(vscode, 'openTextDocument'), [[{ content: 'LOG', language: 'apexlog' }]]);
    assert.deepEqual(callsTo(vscode, 'showTextDocument'), [[{ init: { content: 'LOG', language: 'apexlog' } }, { preview: false }]]);
});

test('Show Debug Log with no requests says so; a cancelled pick does nothing', async () => {
    const vscode = createVscodeStub();
    await showDebugLog(/** @type {any} */ (vscode), fakeSession({ 'isv/requests': { requests: [] } }));
    assert.match(String(callsTo(vscode, 'showInformationMessage')[0][0]), /^No requests have run/);
    const cancelled = createVscodeStub();
    const session = fakeSession({ 'isv/requests': { requests: [{ id: 'R', type: 'REST', entryPoint: '/x', status: 'Success' }] } });
    await showDebugLog(/** @type {any} */ (cancelled), session);
    assert.equal(session.requests.length, 1);
});

test('commands use the focused apex-isv session, else the latest one, else explain', () => {
    const vscode = createVscodeStub();
    const sessions = new IsvSessions(/** @type {any} */ (vscode));
    assert.equal(sessions.require('Run Apex in Sandbox'), undefined);
    assert.match(String(callsTo(vscode, 'showErrorMessage')[0][0]), /^Run Apex in Sandbox needs a running Apex ISV debug session/);
    const a = /** @type {any} */ ({ id: 'a', type: 'apex-isv' });
    const b = /** @type {any} */ ({ id: 'b', type: 'apex-isv' });
    sessions.started(a);
    sessions.started(/** @type {any} */ ({ id: 'n', type: 'node' }));
    sessions.started(b);
    assert.equal(sessions.current(), b);
    vscode.debug.activeDebugSession = a;
    assert.equal(sessions.current(), a);
    vscode.debug.activeDebugSession = { id: 'n', type: 'node' };
    sessions.ended(b);
    assert.equal(sessions.current(), a);
});

/** @type {import('../../src/commands/setupProject').SetupAnswers} */
const ANSWERS = {
    target: { sandbox: 'ws://127.0.0.1:7421' },
    lmoUser: 'support@acme.example',
    org: 'globex-full',
    loginAs: 'admin@globex.example.full',
    dir: '/work/globex-support',
    password: 's3cret!',
    totpCode: '123456',
};

test('setup gets the password through the environment, never argv', () => {
    const { args, env } = setupInvocation(ANSWERS, { PATH: '/usr/bin' });
    assert.deepEqual(args, [
        'setup', '--sandbox', 'ws://127.0.0.1:7421', '--lmo-user', 'support@acme.example', '--org', 'globex-full',
        '--login-as', 'admin@globex.example.full', '--dir', '/work/globex-support', '--totp-code', '123456',
    ]);
    assert.ok(!args.join(' ').includes('s3cret!'));
    assert.deepEqual(env, { PATH: '/usr/bin', ISVDBG_PASSWORD: 's3cret!' });

    const embedded = setupInvocation({ ...ANSWERS, target: { world: '/w' }, password: '', totpCode: '' }, {});
    assert.deepEqual(embedded.args.slice(0, 3), ['setup', '--world', '/w']);
    assert.ok(!embedded.args.includes('--totp-code'));
    assert.deepEqual(embedded.env, {});
    const builtin = setupInvocation({ ...ANSWERS, target: { world: undefined } }, {});
    assert.equal(builtin.args[1], '--lmo-user');
});

/**
 * A spawn that records its call and plays `script` on the child's streams.
 * @param {{stdout?: string[], stderr?: string[], code: number}} script
 */
function fakeSpawn(script) {
    /** @type {{command: string, args: string[], options: any}[]} */
    const spawned = [];
    const spawn = (/** @type {string} */ command, /** @type {string[]} */ args, /** @type {any} */ options) => {
        spawned.push({ command, args, options });
        const child = Object.assign(new EventEmitter(), {
            stdout: Object.assign(new EventEmitter(), { setEncoding() {} }),
            stderr: Object.assign(new EventEmitter(), { setEncoding() {} }),
            kill() {},
        });
        setImmediate(() => {
            for (const chunk of script.stdout ?? []) child.stdout.emit('data', chunk);
            for (const chunk of script.stderr ?? []) child.stderr.emit('data', chunk);
            child.emit('close', script.code);
        });
        return child;
    };
    return { spawn, spawned };
}

/** The prompts' answers, in the order the command asks. */
function promptAnswers() {
    return [
        { label: 'Running sandbox…', choice: 'sandbox' },
        'ws://127.0.0.1:7421',
        'support@acme.example',
        'globex-full',
        'admin@globex.example.full',
        '/work/globex-support',
        's3cret!',
        '123456',
    ];
}

test('Set Up Project asks, runs isvdbg setup and reports its progress lines', async () => {
    const vscode = createVscodeStub({ answers: promptAnswers() });
    const { spawn, spawned } = fakeSpawn({
        stdout: ['✓ Logged in to the LMO as support@acme.example\n✓ Logged in as admin@', 'globex.example.full\n'],
        code: 0,
    });
    const output = fakeOutput();
    await setupProject(/** @type {any} */ (vscode), {
        findBinary: () => '/ext/bin/isvdbg',
        spawn: /** @type {any} */ (spawn),
        env: { PATH: '/usr/bin' },
        existsSync: () => true,
        workspaceFolder: '/work/globex-support',
        output,
    });
    assert.equal(spawned.length, 1);
    assert.equal(spawned[0].command, '/ext/bin/isvdbg');
    assert.ok(!spawned[0].args.includes('s3cret!'));
    assert.equal(spawned[0].options.env.ISVDBG_PASSWORD, 's3cret!');
    assert.deepEqual(spawned[0].options.stdio, ['ignore', 'pipe', 'pipe']);
    const boxes = callsTo(vscode, 'showInputBox').map(([o]) => /** @type {any} */ (o));
    assert.ok(boxes.find((o) => o.password), 'the password box hides what is typed');
    const url = boxes.find((o) => o.prompt === 'Sandbox URL');
    assert.equal(url.validateInput('ws://127.0.0.1:7421'), undefined);
    assert.match(url.validateInput('http://127.0.0.1:7421'), /ws:\/\/ or wss:\/\//);
    const code = boxes.find((o) => o.prompt === 'Verification code from your authenticator app');
    assert.equal(code.validateInput('123456'), undefined);
    assert.equal(code.validateInput(''), 'Six digits', 'a remote sandbox needs the code');
    assert.deepEqual(
        callsTo(vscode, 'progress.report').map(([p]) => /** @type {any} */ (p).message),
        ['✓ Logged in to the LMO as support@acme.example', '✓ Logged in as admin@globex.example.full'],
    );
    assert.deepEqual(callsTo(vscode, 'showInformationMessage'), [['/work/globex-support is set up for ISV debugging. Press F5 to debug.']]);
});

test('a failed setup shows the step that failed', async () => {
    const vscode = createVscodeStub({ answers: promptAnswers() });
    const { spawn } = fakeSpawn({ stderr: ['✗ Login access has expired for Globex (Full); ask the customer to grant access again\n'], code: 1 });
    await setupProject(/** @type {any} */ (vscode), {
        findBinary: () => 'isvdbg',
        spawn: /** @type {any} */ (spawn),
        env: {},
        existsSync: () => true,
        output: fakeOutput(),
    });
    assert.deepEqual(callsTo(vscode, 'showErrorMessage'), [
        ['isvdbg setup failed: Login access has expired for Globex (Full); ask the customer to grant access again'],
    ]);
});

test('Set Up Project stops quietly when a prompt is cancelled, and explains a missing binary', async () => {
    const cancelled = createVscodeStub({ answers: [{ label: 'Built-in world', choice: 'builtin' }, 'support@acme.example', undefined] });
    const { spawn, spawned } = fakeSpawn({ code: 0 });
    const deps = { findBinary: () => 'isvdbg', spawn: /** @type {any} */ (spawn), env: {}, existsSync: () => true, output: fakeOutput() };
    await setupProject(/** @type {any} */ (cancelled), deps);
    assert.equal(spawned.length, 0);
    assert.equal(callsTo(cancelled, 'showErrorMessage').length, 0);

    const missing = createVscodeStub();
    await setupProject(/** @type {any} */ (missing), {
        ...deps,
        findBinary: () => {
            throw new Error('Cannot find the isvdbg debug adapter. Looked at: ...');
        },
    });
    assert.deepEqual(callsTo(missing, 'showErrorMessage'), [['Cannot find the isvdbg debug adapter. Looked at: ...']]);
});
