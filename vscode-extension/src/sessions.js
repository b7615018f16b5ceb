// @ts-check
// Which apex-isv debug session a command talks to.
'use strict';

const DEBUG_TYPE = 'apex-isv';

/** The apex-isv sessions that are running, in start order. */
class IsvSessions {
    /** @param {typeof import('vscode')} vscode */
    constructor(vscode) {
        this.vscode = vscode;
        /** @type {import('vscode').DebugSession[]} */
        this.running = [];
    }

    /** @param {import('vscode').DebugSession} session */
    started(session) {
        if (session.type === DEBUG_TYPE) this.running.push(session);
    }

    /** @param {import('vscode').DebugSession} session */
    ended(session) {
        this.running = this.running.filter((s) => s.id !== session.id);
    }

    /** The focused session when it is apex-isv, else the latest one started. */
    current() {
        const active = this.vscode.debug.activeDebugSession;
        if (active?.type === DEBUG_TYPE) return active;
        return this.running[this.running.length - 1];
    }

    /**
     * The session to use, or undefined after telling the user how to start one.
     * @param {string} what the command, for the message
     */
    require(what) {
        const session = this.current();
        if (!session) {
            void this.vscode.window.showErrorMessage(
                `${what} needs a running Apex ISV debug session. Start one from Run and Debug (F5) with an apex-isv configuration, then try again.`,
            );
        }
        return session;
    }
}

module.exports = { IsvSessions, DEBUG_TYPE };
