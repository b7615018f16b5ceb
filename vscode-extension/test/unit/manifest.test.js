// @ts-check
// The manifest: generated schema, snippets and initial configurations valid
// against it, activation events, commands, languages, packaging fields.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const Ajv = require('ajv').default;

const { createVscodeStub, requireWithVscode } = require('../support/vscode-stub');
const { resolveSnippet, expandTabStops } = require('../support/snippets');

const ROOT = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const debuggerEntry = manifest.contributes.debuggers.find((/** @type {any} */ d) => d.type === 'apex-isv');

/**
 * The attributes schema as VS Code applies it to launch.json: its own keys
 * added, `type`, `request` and `name` required, nothing else allowed.
 * @param {'launch' | 'attach'} request
 */
function vscodeSchema(request) {
    const attributes = structuredClone(debuggerEntry.configurationAttributes[request]);
    attributes.type = 'object';
    attributes.required = ['type', 'request', 'name', ...(attributes.required ?? [])];
    attributes.additionalProperties = false;
    Object.assign(attributes.properties, {
        type: { enum: ['apex-isv'] },
        request: { enum: [request] },
        name: { type: 'string' },
        debugServer: { type: 'number' },
        preLaunchTask: { type: ['string', 'object'] },
        postDebugTask: { type: ['string', 'object'] },
        presentation: { type: 'object' },
        internalConsoleOptions: { enum: ['neverOpen', 'openOnFirstSessionStart', 'openOnSessionStart'] },
        suppressMultipleSessionWarning: { type: 'boolean' },
    });
    return attributes;
}

function validators() {
    const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
    // VS Code's own schema keywords.
    for (const keyword of ['enumDescriptions', 'markdownDescription', 'patternErrorMessage']) ajv.addKeyword(keyword);
    return { launch: ajv.compile(vscodeSchema('launch')), attach: ajv.compile(vscodeSchema('attach')) };
}

test('configurationAttributes are generated for launch and attach', () => {
    const { launch, attach } = debuggerEntry.configurationAttributes;
    for (const name of ['salesforceProject', 'requestTypeFilter', 'sandbox', 'world', 'logFile', 'clock']) {
        assert.ok(launch.properties[name]?.description, `launch.${name} has a description`);
    }
    assert.deepEqual(attach.required, ['sessionId']);
    assert.ok(!JSON.stringify(debuggerEntry.configurationAttributes).includes('$ref'));
});

test('every snippet and initial configuration validates against the generated schema', () => {
    const validate = validators();
    const configs = [
        ...debuggerEntry.initialConfigurations.map((/** @type {any} */ c) => ({ label: 'initial', body: c })),
        ...debuggerEntry.configurationSnippets,
    ];
    for (const { label, body } of configs) {
        const config = /** @type {any} */ (resolveSnippet(body));
        const check = validate[/** @type {'launch' | 'attach'} */ (config.request)];
        assert.ok(check, `${label}: request ${config.request}`);
        assert.ok(check(config), `${label}: ${JSON.stringify(check.errors)}`);
    }
});

test('the validation is strict: a misspelt attribute or bad value fails', () => {
    const validate = validators();
    const base = { type: 'apex-isv', request: 'launch', name: 'x' };
    assert.equal(validate.launch({ ...base, stopOnEntri: true }), false);
    assert.equal(validate.launch({ ...base, requestTypeFilter: ['EXECUTE_ANON'] }), false);
    assert.equal(validate.launch({ ...base, sandbox: 'http://x' }), false);
    assert.equal(validate.attach({ ...base, request: 'attach' }), false, 'sessionId is required');
});

test('four snippets: embedded world, sandbox URL, log replay (marked unavailable), attach', () => {
    const bodies = debuggerEntry.configurationSnippets.map((/** @type {any} */ s) => resolveSnippet(s.body));
    assert.equal(bodies.length, 4);
    assert.ok(bodies.some((/** @type {any} */ b) => b.sandbox === 'embedded' && b.world));
    assert.ok(bodies.some((/** @type {any} */ b) => /^wss?:\/\//.test(b.sandbox) && b.request === 'launch'));
    assert.ok(bodies.some((/** @type {any} */ b) => b.request === 'attach' && b.sessionId));
    const replay = debuggerEntry.configurationSnippets.find((/** @type {any} */ s) => s.body.logFile);
    assert.match(replay.description, /not available yet/i);
    for (const snippet of debuggerEntry.configurationSnippets) {
        assert.equal(snippet.body.type, 'apex-isv');
        assert.ok(snippet.label && snippet.description);
    }
});

test('snippet placeholders expand to their default text', () => {
    assert.equal(expandTabStops('"${1:\\${workspaceFolder}/world}"'), '"\\${workspaceFolder}/world"');
    assert.equal(expandTabStops('"$1x${2:a}"'), '"xa"');
});

test('activation events cover debugging and every command', () => {
    const events = manifest.activationEvents;
    for (const e of ['onDebugResolve:apex-isv', 'onDebugDynamicConfigurations:apex-isv']) {
        assert.ok(events.includes(e), e);
    }
    for (const { command } of manifest.contributes.commands) {
        assert.ok(events.includes(`onCommand:${command}`), `onCommand:${command}`);
    }
});

test('the commands are contributed with the ISV Debugger category and registered on activation', () => {
    const titles = manifest.contributes.commands.map((/** @type {any} */ c) => `${c.category}: ${c.title}`);
    assert.deepEqual(titles.sort(), [
        'ISV Debugger: Run Apex in Sandbox',
        'ISV Debugger: Set Up Project for ISV Debugging',
        'ISV Debugger: Show Debug Log',
    ]);
    const stub = createVscodeStub();
    const extension = requireWithVscode(path.join(ROOT, manifest.main), stub);
    const context = { subscriptions: /** @type {unknown[]} */ ([]), extensionPath: ROOT };
    extension.activate(context);
    assert.deepEqual(
        Object.keys(stub.commandsRegistered).sort(),
        manifest.contributes.commands.map((/** @type {any} */ c) => c.command).sort(),
    );
    assert.deepEqual(stub.providers.map((p) => [p.type, p.trigger]), [['apex-isv', undefined], ['apex-isv', 2]]);
    assert.deepEqual(stub.factories.map((f) => f.type), ['apex-isv']);
    assert.ok(context.subscriptions.length >= 8);
});

test('apex language, breakpoints and language configuration', () => {
    const apex = manifest.contributes.languages.find((/** @type {any} */ l) => l.id === 'apex');
    assert.deepEqual(apex.extensions, ['.cls', '.trigger', '.apex']);
    assert.deepEqual(manifest.contributes.breakpoints, [{ language: 'apex' }]);
    assert.deepEqual(debuggerEntry.languages, ['apex']);
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, apex.configuration), 'utf8'));
    assert.equal(config.comments.lineComment, '//');
    assert.deepEqual(config.comments.blockComment, ['/*', '*/']);
    assert.ok(config.brackets.length >= 3);
    assert.ok(manifest.contributes.languages.some((/** @type {any} */ l) => l.id === 'apexlog'));
});

test('packaging fields: version matches the crate, vsce and @types/vscode fit the engine', () => {
    const cargo = fs.readFileSync(path.join(ROOT, '..', 'Cargo.toml'), 'utf8');
    const crateVersion = /^version\s*=\s*"([^"]+)"/m.exec(cargo)?.[1];
    assert.equal(manifest.version, crateVersion);
    assert.equal(manifest.name, 'isvdbg');
    assert.equal(manifest.publisher, 'isvdbg');
    assert.equal(manifest.displayName, 'Apex ISV Debugger');
    assert.equal(manifest.license, 'MIT');
    assert.ok(manifest.repository?.url);
    assert.equal(manifest.engines.vscode, '^1.90.0');
    assert.match(manifest.devDependencies['@vscode/vsce'], /^3\./);
    // vsce refuses @types/vscode newer than the engine.
    assert.equal(manifest.devDependencies['@types/vscode'], '1.90.0');
    for (const file of ['LICENSE', 'README.md', 'CHANGELOG.md', '.vscodeignore', manifest.main]) {
        assert.ok(fs.existsSync(path.join(ROOT, file)), file);
    }
});
