// @ts-check
// A stand-in for the `vscode` module: enough of the API for the extension's
// modules, recording what they call and answering prompts from queues.
'use strict';

/**
 * @param {{answers?: unknown[], activeTextEditor?: unknown, workspaceFolders?: unknown[], settings?: Record<string, unknown>}} [options]
 */
function createVscodeStub(options = {}) {
    /** @type {{api: string, args: unknown[]}[]} */
    const calls = [];
    const answers = [...(options.answers ?? [])];
    /** @type {Record<string, Function[]>} */
    const listeners = {};
    /** @type {Record<string, Function>} */
    const commands = {};
    /** @type {{type: string, provider: unknown, trigger?: number}[]} */
    const providers = [];
    /** @type {{type: string, factory: unknown}[]} */
    const factories = [];
    /** @type {any[]} */
    const statusItems = [];

    /** Records a call and answers it from the queue. */
    const prompt = (/** @type {string} */ api) => (/** @type {unknown[]} */ ...args) => {
        calls.push({ api, args });
        return Promise.resolve(answers.length > 0 ? answers.shift() : undefined);
    };
    const event = (/** @type {string} */ name) => (/** @type {Function} */ fn) => {
        (listeners[name] ??= []).push(fn);
        return { dispose() {} };
    };

    class DebugAdapterExecutable {
        /** @param {string} command @param {string[]} [args] */
        constructor(command, args) {
            this.command = command;
            this.args = args;
        }
    }
    class ThemeColor {
        /** @param {string} id */
        constructor(id) {
            this.id = id;
        }
    }

    const vscode = {
        calls,
        answers,
        listeners,
        commandsRegistered: commands,
        providers,
        factories,
        statusItems,
        /** Fires a `vscode.debug.onDid...` event. */
        fire(/** @type {string} */ name, /** @type {unknown} */ value) {
            for (const fn of listeners[name] ?? []) fn(value);
        },
        DebugAdapterExecutable,
        ThemeColor,
        Uri: { file: (/** @type {string} */ fsPath) => ({ fsPath, scheme: 'file' }) },
        StatusBarAlignment: { Left: 1, Right: 2 },
        ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
        DebugConfigurationProviderTriggerKind: { Initial: 1, Dynamic: 2 },
        window: {
            activeTextEditor: options.activeTextEditor,
            showErrorMessage: prompt('showErrorMessage'),
            showWarningMessage: prompt('showWarningMessage'),
            showInformationMessage: prompt('showInformationMessage'),
            showQuickPick: prompt('showQuickPick'),
            showInputBox: prompt('showInputBox'),
            showTextDocument: prompt('showTextDocument'),
            /** Runs the task at once with a recording progress and a token. */
            withProgress(/** @type {unknown} */ opts, /** @type {Function} */ task) {
                calls.push({ api: 'withProgress', args: [opts] });
                const progress = { report: (/** @type {unknown} */ p) => calls.push({ api: 'progress.report', args: [p] }) };
                const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };
                return task(progress, token);
            },
            createStatusBarItem() {
                const item = {
                    text: '',
                    tooltip: '',
                    name: '',
                    /** @type {unknown} */
                    backgroundColor: undefined,
                    visible: false,
                    show() {
                        item.visible = true;
                    },
                    hide() {
                        item.visible = false;
                    },
                    dispose() {},
                };
                statusItems.push(item);
                return item;
            },
            createOutputChannel(/** @type {string} */ name) {
                /** @type {string[]} */
                const lines = [];
                return { name, lines, appendLine: (/** @type {string} */ l) => lines.push(l), show() {}, dispose() {} };
            },
        },
        workspace: {
            workspaceFolders: options.workspaceFolders,
            getConfiguration: () => ({
                get: (/** @type {string} */ key, /** @type {unknown} */ fallback) => options.settings?.[key] ?? fallback,
            }),
            openTextDocument(/** @type {unknown} */ init) {
                calls.push({ api: 'openTextDocument', args: [init] });
                return Promise.resolve({ init });
            },
        },
        debug: {
            /** @type {unknown} */
            activeDebugSession: undefined,
            registerDebugConfigurationProvider(/** @type {string} */ type, /** @type {unknown} */ provider, /** @type {number} */ trigger) {
                providers.push({ type, provider, trigger });
                return { dispose() {} };
            },
            registerDebugAdapterDescriptorFactory(/** @type {string} */ type, /** @type {unknown} */ factory) {
                factories.push({ type, factory });
                return { dispose() {} };
            },
            onDidStartDebugSession: event('onDidStartDebugSession'),
            onDidTerminateDebugSession: event('onDidTerminateDebugSession'),
            onDidReceiveDebugSessionCustomEvent: event('onDidReceiveDebugSessionCustomEvent'),
        },
        commands: {
            registerCommand(/** @type {string} */ id, /** @type {Function} */ fn) {
                commands[id] = fn;
                return { dispose() {} };
            },
            executeCommand(/** @type {string} */ id, /** @type {unknown[]} */ ...args) {
                calls.push({ api: 'executeCommand', args: [id, ...args] });
                return Promise.resolve();
            },
        },
    };
    return vscode;
}

/** The calls made to one API, as argument lists. */
function callsTo(/** @type {{calls: {api: string, args: unknown[]}[]}} */ stub, /** @type {string} */ api) {
    return stub.calls.filter((c) => c.api === api).map((c) => c.args);
}

/**
 * Requires `file` with `require('vscode')` answered by `stub`.
 * @param {string} file
 * @param {unknown} stub
 */
function requireWithVscode(file, stub) {
    const Module = require('node:module');
    const original = /** @type {any} */ (Module)._load;
    /** @type {any} */ (Module)._load = function (/** @type {string} */ request, /** @type {unknown[]} */ ...rest) {
        if (request === 'vscode') return stub;
        return original.call(this, request, ...rest);
    };
    try {
        delete require.cache[require.resolve(file)];
        return require(file);
    } finally {
        /** @type {any} */ (Module)._load = original;
    }
}

module.exports = { createVscodeStub, callsTo, requireWithVscode };
