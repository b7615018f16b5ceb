// @ts-check
// "ISV Debugger: Show Debug Log": pick a request of the session, open its
// full debug log (the ISV's view, with the package's internals).
'use strict';

/**
 * @typedef {{id: string, type: string, entryPoint: string, status: string}} RequestSummary
 */

/**
 * Opens the full debug log of `requestId`, or of a request the user picks.
 * @param {typeof import('vscode')} vscode
 * @param {Pick<import('vscode').DebugSession, 'customRequest'>} session
 * @param {string} [requestId]
 */
async function showDebugLog(vscode, session, requestId) {
    if (!requestId) {
        /** @type {{requests: RequestSummary[]}} */
        const { requests } = await session.customRequest('isv/requests');
        if (requests.length === 0) {
            void vscode.window.showInformationMessage(
                'No requests have run in this debug session yet. Run Apex, or trigger a request as the LoginAs user, then try again.',
            );
            return;
        }
        const items = [...requests].reverse().map((r) => ({
            label: r.entryPoint,
            description: `${r.type} · ${r.status}`,
            detail: r.id,
            requestId: r.id,
        }));
        const picked = await vscode.window.showQuickPick(items, {
            title: 'Show Debug Log',
            placeHolder: 'Choose a request (newest first)',
            matchOnDescription: true,
            matchOnDetail: true,
        });
        if (!picked) return;
        requestId = picked.requestId;
    }
    /** @type {{text: string}} */
    const { text } = await session.customRequest('isv/debugLog', { requestId, view: 'full' });
    const document = await vscode.workspace.openTextDocument({ content: text, language: 'apexlog' });
    await vscode.window.showTextDocument(document, { preview: false });
}

module.exports = { showDebugLog };
