// @ts-check
// Entry point: wires the providers, commands and status bar to VS Code.
// The logic lives in modules that take `vscode` and their other
// dependencies as parameters, so tests run them against a stub.
'use strict';

const vscode = require('vscode');
const childProcess = require('node:child_process');
const fs = require('node:fs');

const { createAdapterDescriptorFactory } = require('./adapterFactory');
const { findAdapter } = require('./binary');
const { runApex } = require('./commands/runApex');
const { setupProject } = require('./commands/setupProject');
const { showDebugLog } = require('./commands/showDebugLog');
const { createConfigurationProvider, DEBUG_TYPE } = require('./configProvider');
const { IsvSessions } = require('./sessions');
const { SessionTimersView } = require('./statusBar');

/** @param {vscode.ExtensionContext} context */
function activate(context) {
    const configuredPath = () => vscode.workspace.getConfiguration('isvdbg').get('path', '');
    const workspaceFolder = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const output = vscode.window.createOutputChannel('Apex ISV Debugger');
    const sessions = new IsvSessions(vscode);
    const timers = new SessionTimersView(vscode, {
        now: Date.now,
        setInterval: (fn, ms) => setInterval(fn, ms),
        clearInterval: (handle) => clearInterval(/** @type {NodeJS.Timeout} */ (handle)),
    });
    const binaryDeps = { extensionPath: context.extensionPath, env: process.env, platform: process.platform, arch: process.arch, fs };

    const provider = createConfigurationProvider(vscode, { fs });
    context.subscriptions.push(
        output,
        timers,
        vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, provider),
        vscode.debug.registerDebugConfigurationProvider(
            DEBUG_TYPE,
            { provideDebugConfigurations: provider.provideDebugConfigurations },
            vscode.DebugConfigurationProviderTriggerKind.Dynamic,
        ),
        vscode.debug.registerDebugAdapterDescriptorFactory(
            DEBUG_TYPE,
            createAdapterDescriptorFactory(vscode, { ...binaryDeps, configuredPath }),
        ),
        vscode.debug.onDidStartDebugSession((s) => sessions.started(s)),
        vscode.debug.onDidTerminateDebugSession((s) => {
            sessions.ended(s);
            timers.onSessionEnded(s);
        }),
        vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => timers.onCustomEvent(e)),
        vscode.commands.registerCommand('isvdbg.runApex', () =>
            runApex(vscode, sessions.require('Run Apex in Sandbox'), output),
        ),
        vscode.commands.registerCommand('isvdbg.showDebugLog', async () => {
            const session = sessions.require('Show Debug Log');
            if (!session) return;
            try {
                await showDebugLog(vscode, session);
            } catch (e) {
                void vscode.window.showErrorMessage(`Show Debug Log failed: ${/** @type {Error} */ (e).message}`);
            }
        }),
        vscode.commands.registerCommand('isvdbg.setupProject', (/** @type {unknown} */ dir) =>
            setupProject(
                vscode,
                {
                    findBinary: () =>
                        findAdapter({ ...binaryDeps, configuredPath: configuredPath(), workspaceFolder: workspaceFolder() })
                            .command,
                    spawn: childProcess.spawn,
                    env: process.env,
                    existsSync: fs.existsSync,
                    workspaceFolder: workspaceFolder(),
                    output,
                },
                typeof dir === 'string' ? dir : undefined,
            ),
        ),
    );
}

function deactivate() {}

module.exports = { activate, deactivate };
