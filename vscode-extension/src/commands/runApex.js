// @ts-check
// "ISV Debugger: Run Apex in Sandbox": run the selection (or the whole
// file) as anonymous Apex, as the LoginAs user of the debug session.
'use strict';

const { showDebugLog } = require('./showDebugLog');

/**
 * The code to run: the selection, or the whole document when nothing is selected.
 * @param {Pick<import('vscode').TextEditor, 'document' | 'selection'>} editor
 */
function codeToRun(editor) {
    const selected = editor.selection.isEmpty ? '' : editor.document.getText(editor.selection);
    return selected.trim() ? selected : editor.document.getText();
}

/**
 * The request's debug output as lines of text: the adapter sends
 * `[{line, level, message}]`; older adapters sent one string.
 * @param {unknown} out
 */
function outputText(out) {
    if (Array.isArray(out)) {
        return out.map((l) => `${l.line}|${l.level}|${l.message}`).join('\n');
    }
    return typeof out === 'string' ? out : '';
}

/**
 * @param {typeof import('vscode')} vscode
 * @param {Pick<import('vscode').DebugSession, 'customRequest'> | undefined} session
 * @param {{appendLine(line: string): void, show(preserveFocus?: boolean): void}} output
 */
async function runApex(vscode, session, output) {
    if (!session) return;
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
        void vscode.window.showErrorMessage('Open an Apex file, or select Apex code in one, to run it in the sandbox.');
        return;
    }
    const code = codeToRun(editor);
    if (!code.trim()) {
        void vscode.window.showErrorMessage('There is no Apex to run: the file is empty and nothing is selected.');
        return;
    }
    /** @type {{requestId: string, success?: boolean, paused?: boolean, output?: unknown, exception?: {typeName: string, message: string}}} */
    let result;
    try {
        result = await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: 'Running Apex in the sandbox…' },
            () => Promise.resolve(session.customRequest('isv/runApex', { code })),
        );
    } catch (e) {
        void vscode.window.showErrorMessage(`Run Apex failed: ${/** @type {Error} */ (e).message}`);
        return;
    }
    if (result.paused) {
        output.appendLine(`── request ${result.requestId}: stopped in the debugger; it finishes when you continue`);
        output.show(true);
        return;
    }
    const text = outputText(result.output);
    output.appendLine(`── request ${result.requestId}: ${result.success ? 'succeeded' : 'failed'}`);
    if (text) output.appendLine(text);
    output.show(true);
    const showLog = 'Show Debug Log';
    const firstLine = result.exception
        ? `${result.exception.typeName}: ${result.exception.message}`
        : (text.split('\n').find((l) => l.trim()) ?? '');
    const choice = result.success
        ? await vscode.window.showInformationMessage(`Apex ran as request ${result.requestId}.`, showLog)
        : await vscode.window.showErrorMessage(
              `Apex request ${result.requestId} failed${firstLine ? `: ${firstLine}` : ''}`,
              showLog,
          );
    if (choice === showLog) await showDebugLog(vscode, session, result.requestId);
}

module.exports = { runApex, codeToRun, outputText };
