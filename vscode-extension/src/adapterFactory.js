// @ts-check
// Starts `isvdbg dap` on stdio for each apex-isv debug session.
'use strict';

const { findAdapter } = require('./binary');

/**
 * @typedef {object} FactoryDeps
 * @property {() => string | undefined} configuredPath reads the isvdbg.path setting
 * @property {string} extensionPath
 * @property {Record<string, string | undefined>} env
 * @property {NodeJS.Platform} platform
 * @property {string} arch
 * @property {import('./binary').LookupFs} fs
 */

/**
 * A DebugAdapterDescriptorFactory. When no binary is found it throws, and
 * VS Code shows the message, which says where it looked and how to fix it.
 * @param {typeof import('vscode')} vscode
 * @param {FactoryDeps} deps
 * @returns {import('vscode').DebugAdapterDescriptorFactory}
 */
function createAdapterDescriptorFactory(vscode, deps) {
    return {
        createDebugAdapterDescriptor(session) {
            const found = findAdapter({
                configuredPath: deps.configuredPath(),
                extensionPath: deps.extensionPath,
                env: deps.env,
                platform: deps.platform,
                arch: deps.arch,
                fs: deps.fs,
                workspaceFolder: session.workspaceFolder?.uri.fsPath,
            });
            return new vscode.DebugAdapterExecutable(found.command, ['dap']);
        },
    };
}

module.exports = { createAdapterDescriptorFactory };
