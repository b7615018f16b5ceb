// @ts-check
// End to end: the real `isvdbg dap` driven the way VS Code drives it, with
// the launch configuration the extension produces, through a breakpoint in
// the package's Apex. The binary is $ISVDBG_BIN, else ../target/debug/isvdbg.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { DebugClient } = require('@vscode/debugadapter-testsupport');

const REPO = path.resolve(__dirname, '..', '..');
const BIN = path.resolve(process.env.ISVDBG_BIN ?? path.join(REPO, 'target', 'debug', 'isvdbg'));
const WORLD = path.join(REPO, 'fixtures', 'worlds', 'default');
const TAX_CALCULATOR = path.join(WORLD, 'packages', 'acme-billing', 'force-app', 'main', 'default', 'classes', 'TaxCalculator.cls');
const CREATE_INVOICE = path.join(WORLD, 'orgs', 'globex-full', 'scripts', 'create-invoice.apex');

/** The launch configuration of the test: the embedded default world, the Globex case. */
const LAUNCH = {
    type: 'apex-isv',
    request: 'launch',
    name: 'x',
    subscriberOrg: 'globex-full',
    loginAsUser: 'admin@globex.example.full',
    lmoUser: 'support@acme.example',
    clock: 'virtual',
};

/**
 * The 1-based line of `file` that carries the marker comment `// #NAME`.
 * @param {string} file
 * @param {string} marker
 */
function markerLine(file, marker) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const index = lines.findIndex((l) => new RegExp(`//\\s*${marker}\\b`).test(l));
    assert.notEqual(index, -1, `no // ${marker} in ${file}`);
    return index + 1;
}

/** @type {DebugClient} */
let dc;

test.beforeEach(async () => {
    assert.ok(fs.existsSync(BIN), `no adapter at ${BIN}: build it with cargo build --bin isvdbg, or set ISVDBG_BIN`);
    dc = new DebugClient(BIN, 'dap', 'apex-isv', { stdio: ['pipe', 'pipe', 'pipe'] });
    // A debug build loads and compiles the world on launch.
    dc.defaultTimeout = 30_000;
    await dc.start();
});

test.afterEach(async () => {
    await dc.stop();
});

test('initialize announces configurationDone', async () => {
    const response = await dc.initializeRequest({ adapterID: 'apex-isv', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    assert.equal(response.body?.supportsConfigurationDoneRequest, true);
});

test('a breakpoint in the package is hit by a request run as the LoginAs user', async () => {
    const line = markerLine(TAX_CALCULATOR, '#BP_TAX');
    const initialized = dc.waitForEvent('initialized');
    await dc.initializeRequest({ adapterID: 'apex-isv', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const launched = dc.launchRequest(/** @type {any} */ (LAUNCH));
    await initialized;

    const set = await dc.setBreakpointsRequest({ source: { path: TAX_CALCULATOR }, breakpoints: [{ line }] });
    assert.equal(set.body.breakpoints.length, 1);
    assert.equal(set.body.breakpoints[0].verified, true, JSON.stringify(set.body.breakpoints[0]));
    assert.equal(set.body.breakpoints[0].line, line);
    await dc.configurationDoneRequest();
    await launched;

    const stopped = dc.waitForEvent('stopped');
    const run = dc.customRequest('isv/runApex', { code: fs.readFileSync(CREATE_INVOICE, 'utf8') });
    const event = await stopped;
    assert.equal(event.body.reason, 'breakpoint');

    const trace = await dc.stackTraceRequest({ threadId: event.body.threadId });
    const top = trace.body.stackFrames[0];
    assert.equal(top.line, line);
    assert.equal(top.source?.name, 'TaxCalculator.cls');

    // The request stopped before it could answer: runApex says so at once, and
    // the end of the request comes as an isv/requestFinished event.
    const answered = await run;
    assert.equal(answered.body.paused, true, JSON.stringify(answered.body));
    const finished = dc.waitForEvent('isv/requestFinished');
    // Later hits (one per invoice the script touches) just continue, until the request ends.
    dc.on('stopped', (e) => void dc.continueRequest({ threadId: e.body.threadId }));
    await dc.continueRequest({ threadId: event.body.threadId });
    const result = await finished;
    assert.equal(result.body.success, true, JSON.stringify(result.body));
    assert.equal(result.body.requestId, answered.body.requestId);
    assert.ok(result.body.output.some((/** @type {{message: string}} */ l) => l.message.startsWith('tax=')), JSON.stringify(result.body.output));

    const listed = await dc.customRequest('isv/requests');
    const request = listed.body.requests.find((/** @type {{id: string}} */ r) => r.id === result.body.requestId);
    assert.equal(request?.type, 'EXECUTE_ANONYMOUS');
    const log = await dc.customRequest('isv/debugLog', { requestId: result.body.requestId, view: 'full' });
    assert.match(log.body.text, /CODE_UNIT_STARTED/);
    // afterEach disconnects: after a disconnect the adapter exits, so a second
    // one would wait for an answer that never comes.
});

test('the adapter refuses credentials and logFile in the launch configuration', async () => {
    await dc.initializeRequest({ adapterID: 'apex-isv' });
    await assert.rejects(dc.launchRequest(/** @type {any} */ ({ ...LAUNCH, password: 'x' })), /must not be in launch\.json/);
    await assert.rejects(dc.launchRequest(/** @type {any} */ ({ ...LAUNCH, logFile: '/tmp/a.log' })), /replaying a debug log is not available yet/);
});
