// @ts-check
// Filling in configurations and checking the project folder.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

const { createConfigurationProvider, projectProblem } = require('../../src/configProvider');
const { createVscodeStub, callsTo } = require('../support/vscode-stub');

const PROJECT = '/work/globex-support';
const SETUP = 'ISV Debugger: Set Up Project for ISV Debugging';

/** @param {string[]} existing */
function fakeFs(existing) {
    return { existsSync: (/** @type {string} */ p) => existing.includes(p) };
}
const setUp = fakeFs([PROJECT, path.join(PROJECT, 'sfdx-project.json'), path.join(PROJECT, '.isvdbg', 'session.json')]);
const folder = /** @type {any} */ ({ uri: { fsPath: PROJECT }, name: 'globex-support', index: 0 });

/** @param {string[]} [existing] @param {unknown[]} [answers] */
function provider(existing, answers) {
    const vscode = createVscodeStub({ answers });
    const fs = existing ? fakeFs(existing) : setUp;
    return { vscode, provider: createConfigurationProvider(/** @type {any} */ (vscode), { fs }) };
}

test('F5 without launch.json gets a launch in the workspace folder', async () => {
    const { provider: p } = provider();
    const config = await p.resolveDebugConfiguration?.(folder, /** @type {any} */ ({}));
    // VS Code substitutes the variable before the adapter sees it.
    assert.deepEqual(config, {
        type: 'apex-isv',
        request: 'launch',
        name: 'Debug Apex (ISV)',
        salesforceProject: '${workspaceFolder}',
    });
});

test('a launch without salesforceProject gets the folder, unless it names org, user and LMO user', async () => {
    const { provider: p } = provider();
    const bare = await p.resolveDebugConfiguration?.(folder, /** @type {any} */ ({ type: 'apex-isv', request: 'launch', name: 'x' }));
    assert.equal(bare?.salesforceProject, PROJECT);
    const named = { type: 'apex-isv', request: 'launch', name: 'x', subscriberOrg: 'globex-full', loginAsUser: 'a@b', lmoUser: 's@acme' };
    const kept = await p.resolveDebugConfiguration?.(folder, /** @type {any} */ ({ ...named }));
    assert.equal(kept?.salesforceProject, undefined);
    const noFolder = await p.resolveDebugConfiguration?.(undefined, /** @type {any} */ ({ type: 'apex-isv', request: 'launch', name: 'x' }));
    assert.equal(noFolder?.salesforceProject, '${workspaceFolder}');
});

test('the initial and dynamic configurations', async () => {
    const { provider: p } = provider();
    const configs = await p.provideDebugConfigurations?.(folder);
    assert.deepEqual(configs, [
        { type: 'apex-isv', request: 'launch', name: 'Debug Apex (ISV)', salesforceProject: '${workspaceFolder}' },
    ]);
});

test('a set-up project passes', async () => {
    const { vscode, provider: p } = provider();
    const config = { type: 'apex-isv', request: 'launch', name: 'x', salesforceProject: PROJECT };
    assert.deepEqual(await p.resolveDebugConfigurationWithSubstitutedVariables?.(folder, /** @type {any} */ (config)), config);
    assert.equal(callsTo(vscode, 'showErrorMessage').length, 0);
});

test('each missing piece of a project is explained with the fix', () => {
    const check = (/** @type {string[]} */ existing, needsSession = true) => projectProblem(PROJECT, { needsSession }, fakeFs(existing));
    assert.equal(
        check([]),
        `The Salesforce project folder ${PROJECT} does not exist. Set salesforceProject in launch.json to your project folder, or to create one, run "${SETUP}" (or \`isvdbg setup --dir ${PROJECT} ...\` in a terminal).`,
    );
    assert.equal(
        check([PROJECT]),
        `${PROJECT} is not a Salesforce DX project (no sfdx-project.json). To create one with the package source, run "${SETUP}" (or \`isvdbg setup --dir ${PROJECT} ...\` in a terminal).`,
    );
    const noSession = check([PROJECT, path.join(PROJECT, 'sfdx-project.json')]);
    assert.match(noSession ?? '', /is not set up for ISV debugging \(no \.isvdbg\/session\.json/);
    assert.match(noSession ?? '', new RegExp(`run "${SETUP}"`));
    assert.equal(check([PROJECT, path.join(PROJECT, 'sfdx-project.json')], false), undefined);
});

test('a missing session file stops the launch and offers to set the project up', async () => {
    const existing = [PROJECT, path.join(PROJECT, 'sfdx-project.json')];
    const { vscode, provider: p } = provider(existing, ['Set Up Project']);
    const config = { type: 'apex-isv', request: 'launch', name: 'x', salesforceProject: PROJECT };
    const resolved = await p.resolveDebugConfigurationWithSubstitutedVariables?.(folder, /** @type {any} */ (config));
    assert.equal(resolved, undefined);
    const [[message, action]] = callsTo(vscode, 'showErrorMessage');
    assert.match(String(message), /no \.isvdbg\/session\.json/);
    assert.equal(action, 'Set Up Project');
    assert.deepEqual(callsTo(vscode, 'executeCommand'), [['isvdbg.setupProject', PROJECT]]);
});

test('a launch that names org, user and LMO user needs no session file', async () => {
    const existing = [PROJECT, path.join(PROJECT, 'sfdx-project.json')];
    const { provider: p } = provider(existing);
    const config = {
        type: 'apex-isv', request: 'launch', name: 'x', salesforceProject: PROJECT,
        subscriberOrg: 'globex-full', loginAsUser: 'admin@globex.example.full', lmoUser: 'support@acme.example',
    };
    assert.deepEqual(await p.resolveDebugConfigurationWithSubstitutedVariables?.(folder, /** @type {any} */ (config)), config);
});

test('values the adapter itself will refuse are left to it', async () => {
    const { vscode, provider: p } = provider([]);
    for (const salesforceProject of [42, '', '${command:pickFolder}']) {
        const config = { type: 'apex-isv', request: 'launch', name: 'x', salesforceProject };
        assert.deepEqual(await p.resolveDebugConfigurationWithSubstitutedVariables?.(folder, /** @type {any} */ (config)), config);
    }
    assert.equal(callsTo(vscode, 'showErrorMessage').length, 0);
});
