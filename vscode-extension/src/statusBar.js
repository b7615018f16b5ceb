// @ts-check
// The status bar item with an ISV debug session's idle timeout and hard cap,
// from the adapter's isv/sessionTimers events, counted down locally between
// events.
'use strict';

const TIMERS_EVENT = 'isv/sessionTimers';
const DEBUG_TYPE = 'apex-isv';
/** Under this many seconds on either timer, the item turns to the warning colour. */
const WARNING_SECONDS = 5 * 60;

/**
 * `m:ss` under an hour, `h:mm:ss` from an hour; never negative.
 * @param {number} seconds
 */
function formatDuration(seconds) {
    const total = Math.max(0, Math.floor(seconds));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = String(total % 60).padStart(2, '0');
    return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * The item's text, such as `ISV $(debug) idle 59:12 · cap 3:59:12`.
 * @param {{idleSecondsLeft: number, hardCapSecondsLeft: number}} left
 */
function formatTimers(left) {
    return `ISV $(debug) idle ${formatDuration(left.idleSecondsLeft)} · cap ${formatDuration(left.hardCapSecondsLeft)}`;
}

/**
 * @typedef {object} Timers
 * @property {string} sessionId the ISV debug session's id (not VS Code's)
 * @property {number} idleEndsAt ms since the epoch
 * @property {number} capEndsAt ms since the epoch
 * @property {string} [warning]
 */

/**
 * @typedef {object} Clock
 * @property {() => number} now ms since the epoch
 * @property {(fn: () => void, ms: number) => unknown} setInterval
 * @property {(handle: unknown) => void} clearInterval
 */

/** Shows the timers of the most recent apex-isv session that reported any. */
class SessionTimersView {
    /**
     * @param {typeof import('vscode')} vscode
     * @param {Clock} clock
     */
    constructor(vscode, clock) {
        this.vscode = vscode;
        this.clock = clock;
        this.item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
        this.item.name = 'Apex ISV Debugger session timers';
        /** @type {Map<string, Timers>} keyed by VS Code's debug session id, in arrival order */
        this.sessions = new Map();
        /** @type {unknown} */
        this.ticker = undefined;
    }

    /**
     * A custom event from any debug session.
     * @param {{session: {id: string, type: string}, event: string, body?: any}} e
     */
    onCustomEvent(e) {
        if (e.session.type !== DEBUG_TYPE || e.event !== TIMERS_EVENT || !e.body) return;
        const now = this.clock.now();
        const { sessionId, idleSecondsLeft, hardCapSecondsLeft, warning } = e.body;
        const previous = this.sessions.get(e.session.id);
        this.sessions.delete(e.session.id);
        this.sessions.set(e.session.id, {
            sessionId,
            idleEndsAt: now + idleSecondsLeft * 1000,
            capEndsAt: now + hardCapSecondsLeft * 1000,
            warning,
        });
        if (warning && warning !== previous?.warning) {
            void this.vscode.window.showWarningMessage(`Apex ISV debug session: ${warning}`);
        }
        this.render();
    }

    /** @param {{id: string}} session */
    onSessionEnded(session) {
        this.sessions.delete(session.id);
        this.render();
    }

    /** Updates the item from the latest timers and the clock. */
    render() {
        const current = [...this.sessions.values()].pop();
        if (!current) {
            this.item.hide();
            this.stopTicking();
            return;
        }
        const now = this.clock.now();
        const left = {
            idleSecondsLeft: Math.max(0, (current.idleEndsAt - now) / 1000),
            hardCapSecondsLeft: Math.max(0, (current.capEndsAt - now) / 1000),
        };
        this.item.text = formatTimers(left);
        const lines = [
            `ISV debug session ${current.sessionId}`,
            `Ends after ${formatDuration(left.idleSecondsLeft)} without debugger activity, and in ${formatDuration(left.hardCapSecondsLeft)} at the latest (4-hour cap).`,
        ];
        if (current.warning) lines.push(current.warning);
        this.item.tooltip = lines.join('\n');
        const low = Math.min(left.idleSecondsLeft, left.hardCapSecondsLeft) < WARNING_SECONDS;
        this.item.backgroundColor = low ? new this.vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
        this.item.show();
        this.startTicking();
    }

    startTicking() {
        if (this.ticker === undefined) this.ticker = this.clock.setInterval(() => this.render(), 1000);
    }

    stopTicking() {
        if (this.ticker !== undefined) this.clock.clearInterval(this.ticker);
        this.ticker = undefined;
    }

    dispose() {
        this.stopTicking();
        this.item.dispose();
    }
}

module.exports = { SessionTimersView, formatDuration, formatTimers, WARNING_SECONDS, TIMERS_EVENT };
