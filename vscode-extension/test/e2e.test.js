// @ts-check
// End to end: the real `isvdbg dap` driven the way VS Code drives it. The
// project comes from `isvdbg setup` (embedded default world); its launch.json
// configuration, the initial configuration and every snippet go through the
// extension's own DebugConfigurationProvider and VS Code's variable
// substitution before the adapter sees them. The binary is $ISVDBG_BIN, else
// ../target/release/isvdbg.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Ajv = require('ajv').default;
const jsonc = require('jsonc-parser');
const { DebugClient } = require('@vscode/debugadapter-testsupport');

const { createConfigurationProvider } = require('../src/configProvider');
const { createVscodeStub } = require('./support/vscode-stub');
const { resolveSnippet } = require('./support/snippets');

const REPO = path.resolve(__dirname, '..', '..');
const BIN = path.resolve(process.env.ISVDBG_BIN ?? path.join(REPO, 'target', 'release', 'isvdbg'));
const WORLD = path.join(REPO, 'fixtures', 'worlds', 'default');
const CREATE_INVOICE = path.join(WORLD, 'orgs', 'globex-full', 'scripts', 'create-invoice.apex');
const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
const INITIALIZE = { adapterID: 'apex-isv', linesStartAt1: true, columnsStartAt1: true, pathFormat: /** @type {'path'} */ ('path') };

/** The project `isvdbg setup` writes, made once for every test. */
const PROJECT = fs.mkdtempSync(path.join(os.tmpdir(), 'isvdbg-e2e-'));
const TAX_CALCULATOR = path.join(PROJECT, '.sfdx', 'tools', 'installed-packages', 'acme', 'classes', 'TaxCalculator.cls');

test.before(() => {
    assert.ok(fs.existsSync(BIN), `no adapter at ${BIN}: build it with cargo build --release --bin isvdbg, or set ISVDBG_BIN`);
    execFileSync(BIN, ['setup', '--world', WORLD, '--lmo-user', 'support@acme.example', '--org', 'globex-full',
        '--login-as', 'admin@globex.example.full', '--dir', PROJECT], { stdio: 'pipe' });
    // Where the embedded-world snippet looks by default.
    fs.symlinkSync(WORLD, path.join(PROJECT, 'world'));
});

test.after(() => fs.rmSync(PROJECT, { recursive: true, force: true }));

/**
 * What VS Code does to a configuration before the adapter sees it: the
 * provider's first pass, `${workspaceFolder}` substituted, the provider's
 * second pass (which checks the project folder).
 * @param {Record<string, any>} config
 */
async function throughProvider(config) {
    const provider = createConfigurationProvider(/** @type {any} */ (createVscodeStub()), { fs });
    const folder = /** @type {any} */ ({ uri: { fsPath: PROJECT }, name: 'globex', index: 0 });
    const first = await provider.resolveDebugConfiguration?.(folder, /** @type {any} */ ({ ...config }));
    assert.ok(first, `the provider dropped ${JSON.stringify(config)}`);
    const substituted = JSON.parse(JSON.stringify(first).replaceAll('${workspaceFolder}', PROJECT));
    const second = await provider.resolveDebugConfigurationWithSubstitutedVariables?.(folder, substituted);
    assert.ok(second, `the provider refused ${JSON.stringify(substituted)}`);
    return /** @type {Record<string, any>} */ (second);
}

/** The apex-isv configuration `isvdbg setup` wrote into .vscode/launch.json. */
function setupConfiguration() {
    const text = fs.readFileSync(path.join(PROJECT, '.vscode', 'launch.json'), 'utf8');
    /** @type {jsonc.ParseError[]} */
    const errors = [];
    const launchJson = jsonc.parse(text, errors);
    assert.deepEqual(errors, [], text);
    const configs = launchJson.configurations.filter((/** @type {any} */ c) => c.type === 'apex-isv');
    assert.equal(configs.length, 1, text);
    return configs[0];
}

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

/** A fresh adapter process; the test stops it. */
async function startAdapter() {
    const dc = new DebugClient(BIN, 'dap', 'apex-isv', { stdio: ['pipe', 'pipe', 'pipe'] });
    dc.defaultTimeout = 30_000;
    await dc.start();
    return dc;
}

test('initialize announces configurationDone', async () => {
    const dc = await startAdapter();
    try {
        const response = await dc.initializeRequest(INITIALIZE);
        assert.equal(response.body?.supportsConfigurationDoneRequest, true);
    } finally {
        await dc.stop();
    }
});

test("setup's configuration stops at a breakpoint; variables, next, continue, terminated", async () => {
    const launch = await throughProvider(setupConfiguration());
    assert.equal(launch.salesforceProject, PROJECT);
    const line = markerLine(TAX_CALCULATOR, '#BP_TAX');
    const dc = await startAdapter();
    try {
        const initialized = dc.waitForEvent('initialized');
        await dc.initializeRequest(INITIALIZE);
        const launched = dc.launchRequest(/** @type {any} */ (launch));
        await initialized;
        const set = await dc.setBreakpointsRequest({ source: { path: TAX_CALCULATOR }, breakpoints: [{ line }] });
        assert.equal(set.body.breakpoints[0].verified, true, JSON.stringify(set.body.breakpoints[0]));
        assert.equal(set.body.breakpoints[0].line, line);
        await dc.configurationDoneRequest();
        await launched;

        const stopped = dc.waitForEvent('stopped');
        const run = dc.customRequest('isv/runApex', { code: fs.readFileSync(CREATE_INVOICE, 'utf8') });
        const event = await stopped;
        assert.equal(event.body.reason, 'breakpoint');
        const threadId = event.body.threadId;

        const trace = await dc.stackTraceRequest({ threadId });
        const top = trace.body.stackFrames[0];
        assert.equal(top.line, line);
        assert.equal(top.name, 'acme.TaxCalculator.calculate');
        // Exactly the file where the breakpoint was set, so VS Code opens no second tab.
        assert.equal(top.source?.path, TAX_CALCULATOR);

        // Variables: the frame's locals hold the invoice being priced.
        const scopes = await dc.scopesRequest({ frameId: top.id });
        const locals = scopes.body.scopes.find((s) => s.name === 'Locals');
        assert.ok(locals, JSON.stringify(scopes.body.scopes));
        const variables = await dc.variablesRequest({ variablesReference: locals.variablesReference });
        const invoice = variables.body.variables.find((v) => v.name === 'invoice');
        assert.ok(invoice, JSON.stringify(variables.body.variables));
        assert.ok(invoice.variablesReference > 0, 'the invoice can be expanded');
        const fields = await dc.variablesRequest({ variablesReference: invoice.variablesReference });
        assert.ok(fields.body.variables.length > 0, 'the invoice has fields');

        // Step over: the next line of the same method.
        const stepped = dc.waitForEvent('stopped');
        await dc.nextRequest({ threadId });
        assert.equal((await stepped).body.reason, 'step');
        const after = (await dc.stackTraceRequest({ threadId })).body.stackFrames[0];
        assert.equal(after.name, 'acme.TaxCalculator.calculate');
        assert.ok(after.line > line, `stepped from ${line} to ${after.line}`);

        // The request stopped before it could answer: runApex says so at once, and
        // the end of the request comes as an isv/requestFinished event.
        const answered = await run;
        assert.equal(answered.body.paused, true, JSON.stringify(answered.body));
        const finished = dc.waitForEvent('isv/requestFinished');
        // Later hits (one per invoice the script touches) just continue, until the request ends.
        dc.on('stopped', (e) => void dc.continueRequest({ threadId: e.body.threadId }));
        await dc.continueRequest({ threadId });
        const result = await finished;
        assert.equal(result.body.success, true, JSON.stringify(result.body));
        assert.equal(result.body.requestId, answered.body.requestId);
        assert.ok(result.body.output.some((/** @type {{message: string}} */ l) => l.message.startsWith('tax=')), JSON.stringify(result.body.output));

        const log = await dc.customRequest('isv/debugLog', { requestId: result.body.requestId, view: 'full' });
        assert.match(log.body.text, /CODE_UNIT_STARTED/);

        // Stopping the session from the toolbar.
        const terminated = dc.waitForEvent('terminated');
        await dc.terminateRequest({});
        await terminated;
    } finally {
        await dc.stop();
    }
});

/** The launch and attach schemas the adapter prints (the package.json attributes come from them). */
function adapterSchemas() {
    const printed = JSON.parse(execFileSync(BIN, ['dap', '--print-schema'], { encoding: 'utf8' }));
    const ajv = new Ajv({ strict: false, allErrors: true, allowUnionTypes: true });
    return {
        launch: ajv.compile(printed.launch),
        attach: ajv.compile(printed.attach),
    };
}

/**
 * What the adapter answers to launching (or attaching) `config`: undefined
 * when it started the session, else its error text.
 * @param {Record<string, any>} config
 */
async function adapterVerdict(config) {
    const dc = await startAdapter();
    try {
        await dc.initializeRequest(INITIALIZE);
        const request = config.request === 'attach' ? dc.attachRequest(/** @type {any} */ (config)) : dc.launchRequest(/** @type {any} */ (config));
        await request;
        return undefined;
    } catch (e) {
        return /** @type {Error} */ (e).message;
    } finally {
        await dc.stop();
    }
}

/**
 * What the adapter must say about each offered configuration: undefined for
 * a launch that starts; else a pattern of its refusal, for those that need
 * something this test does not run (a sandbox on the snippet's port, a
 * running session to attach to, log replay).
 * @type {Record<string, RegExp | undefined>}
 */
const EXPECTED = {
    'initial configuration': undefined,
    'Apex ISV Debugger: Launch (embedded world)': undefined,
    // Nothing listens on the snippet's default port here.
    'Apex ISV Debugger: Launch (sandbox URL)': /could not connect to the sandbox at ws:\/\/127\.0\.0\.1:7421/,
    'Apex ISV Debugger: Replay a Debug Log (not available yet)': /replaying a debug log is not available yet/,
    'Apex ISV Debugger: Attach to a Running Session': /could not connect to the sandbox at ws:\/\/127\.0\.0\.1:7421/,
};

test('the initial configuration and every snippet reach the adapter as VS Code sends them', async () => {
    const debuggers = manifest.contributes.debuggers.find((/** @type {any} */ d) => d.type === 'apex-isv');
    const offered = [
        ...debuggers.initialConfigurations.map((/** @type {any} */ c) => ['initial configuration', c]),
        ...debuggers.configurationSnippets.map((/** @type {any} */ s) => [s.label, resolveSnippet(s.body, { workspaceFolder: '${workspaceFolder}', file: path.join(PROJECT, 'debug.log') })]),
    ];
    assert.deepEqual(offered.map(([label]) => label).sort(), Object.keys(EXPECTED).sort(), 'every offered configuration has an expectation');
    const schemas = adapterSchemas();
    for (const [label, body] of offered) {
        const config = await throughProvider(body);
        const validate = config.request === 'attach' ? schemas.attach : schemas.launch;
        const { type, request, name, ...attributes } = config;
        assert.ok(validate(attributes), `${label}: ${JSON.stringify(validate.errors)}`);
        const verdict = await adapterVerdict(config);
        const expected = EXPECTED[label];
        if (expected === undefined) {
            assert.equal(verdict, undefined, `${label}: the adapter refused ${JSON.stringify(config)}`);
        } else {
            assert.match(verdict ?? '(it started)', expected, `${label}: ${JSON.stringify(config)}`);
        }
    }
});

test('the adapter refuses credentials and logFile in the launch configuration', async () => {
    const launch = await throughProvider(setupConfiguration());
    const dc = await startAdapter();
    try {
        await dc.initializeRequest(INITIALIZE);
        await assert.rejects(dc.launchRequest(/** @type {any} */ ({ ...launch, password: 'x' })), /must not be in launch\.json/);
        await assert.rejects(dc.launchRequest(/** @type {any} */ ({ ...launch, logFile: '/tmp/a.log' })), /replaying a debug log is not available yet/);
    } finally {
        await dc.stop();
    }
});
