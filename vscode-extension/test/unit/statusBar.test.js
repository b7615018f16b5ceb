// @ts-check
// The session timers in the status bar, with an injected clock.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');

const { SessionTimersView, formatDuration, formatTimers } = require('../../src/statusBar');
const { createVscodeStub, callsTo } = require('../support/vscode-stub');

/** A clock that moves only when told, with intervals run by `advance`. */
function fakeClock() {
    let now = 1_700_000_000_000;
    /** @type {Map<number, {fn: () => void, every: number, next: number}>} */
    const intervals = new Map();
    let nextId = 1;
    return {
        now: () => now,
        setInterval(/** @type {() => void} */ fn, /** @type {number} */ every) {
            const id = nextId++;
            intervals.set(id, { fn, every, next: now + every });
            return id;
        },
        clearInterval(/** @type {unknown} */ id) {
            intervals.delete(/** @type {number} */ (id));
        },
        /** Moves time forward, running due intervals in order. */
        advance(/** @type {number} */ ms) {
            const end = now + ms;
            for (;;) {
                const due = [...intervals.values()].filter((t) => t.next <= end).sort((a, b) => a.next - b.next)[0];
                if (!due) break;
                now = due.next;
                due.next += due.every;
                due.fn();
            }
            now = end;
        },
        get active() {
            return intervals.size;
        },
    };
}

const isv = { id: 'vs-1', type: 'apex-isv' };
/** @param {number} idle @param {number} cap @param {string} [warning] */
const timers = (idle, cap, warning) => ({
    session: isv,
    event: 'isv/sessionTimers',
    body: { sessionId: '07aGLOBEX', idleSecondsLeft: idle, hardCapSecondsLeft: cap, ...(warning ? { warning } : {}) },
});

function setup() {
    const vscode = createVscodeStub();
    const clock = fakeClock();
    const view = new SessionTimersView(/** @type {any} */ (vscode), clock);
    return { vscode, clock, view, item: vscode.statusItems[0] };
}

test('durations: m:ss under an hour, h:mm:ss from an hour, never negative', () => {
    assert.equal(formatDuration(3552), '59:12');
    assert.equal(formatDuration(14352), '3:59:12');
    assert.equal(formatDuration(3600), '1:00:00');
    assert.equal(formatDuration(59.9), '0:59');
    assert.equal(formatDuration(-5), '0:00');
    assert.equal(formatTimers({ idleSecondsLeft: 3552, hardCapSecondsLeft: 14352 }), 'ISV $(debug) idle 59:12 · cap 3:59:12');
});

test('hidden until an apex-isv session reports its timers', () => {
    const { view, item } = setup();
    assert.equal(item.visible, false);
    view.onCustomEvent({ session: { id: 'n', type: 'node' }, event: 'isv/sessionTimers', body: timers(1, 1).body });
    view.onCustomEvent({ session: isv, event: 'output', body: {} });
    assert.equal(item.visible, false);
    view.onCustomEvent(timers(3552, 14352));
    assert.equal(item.visible, true);
    assert.equal(item.text, 'ISV $(debug) idle 59:12 · cap 3:59:12');
    assert.match(item.tooltip, /ISV debug session 07aGLOBEX/);
});

test('counts down between events and resets on the next one', () => {
    const { view, item, clock } = setup();
    view.onCustomEvent(timers(3552, 14352));
    clock.advance(12_000);
    assert.equal(item.text, 'ISV $(debug) idle 59:00 · cap 3:59:00');
    view.onCustomEvent(timers(3600, 14340));
    assert.equal(item.text, 'ISV $(debug) idle 1:00:00 · cap 3:59:00');
});

test('turns to the warning colour under five minutes and shows a new warning once', () => {
    const { view, item, clock, vscode } = setup();
    view.onCustomEvent(timers(301, 14000));
    assert.equal(item.backgroundColor, undefined);
    clock.advance(2000);
    assert.equal(item.backgroundColor?.id, 'statusBarItem.warningBackground');
    const warning = 'The session ends in 5 minutes without debugger activity';
    view.onCustomEvent(timers(290, 13990, warning));
    view.onCustomEvent(timers(289, 13989, warning));
    assert.deepEqual(callsTo(vscode, 'showWarningMessage'), [[`Apex ISV debug session: ${warning}`]]);
    assert.match(item.tooltip, /ends in 5 minutes/);
    clock.advance(10 * 60_000);
    assert.equal(item.text, 'ISV $(debug) idle 0:00 · cap 3:43:09');
});

test('hidden, and the ticking stopped, when the session ends', () => {
    const { view, item, clock } = setup();
    view.onCustomEvent(timers(3552, 14352));
    assert.equal(clock.active, 1);
    view.onSessionEnded({ id: 'vs-1' });
    assert.equal(item.visible, false);
    assert.equal(clock.active, 0);
});

test('with two sessions, the latest to report is shown, and the other after it ends', () => {
    const { view, item } = setup();
    view.onCustomEvent(timers(3552, 14352));
    view.onCustomEvent({ ...timers(600, 7200), session: { id: 'vs-2', type: 'apex-isv' } });
    assert.equal(item.text, 'ISV $(debug) idle 10:00 · cap 2:00:00');
    view.onSessionEnded({ id: 'vs-2' });
    assert.equal(item.text, 'ISV $(debug) idle 59:12 · cap 3:59:12');
    assert.equal(item.visible, true);
});
