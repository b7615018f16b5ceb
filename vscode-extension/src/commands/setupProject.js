// @ts-check
// "ISV Debugger: Set Up Project for ISV Debugging": ask what `isvdbg setup`
// needs, then run it with progress. The password goes to the child through
// ISVDBG_PASSWORD, never its command line (which other users can read).
'use strict';

/**
 * @typedef {object} SetupAnswers
 * @property {{sandbox: string} | {world: string | undefined}} target a running sandbox's URL, or an embedded world (undefined: the built-in one)
 * @property {string} lmoUser
 * @property {string} org
 * @property {string} loginAs
 * @property {string} dir
 * @property {string} password empty: not given
 * @property {string} totpCode empty: not given
 */

/**
 * The arguments and environment of `isvdbg setup` for `answers`.
 * @param {SetupAnswers} answers
 * @param {Record<string, string | undefined>} env the environment to start from
 */
function setupInvocation(answers, env) {
    const args = ['setup'];
    if ('sandbox' in answers.target) args.push('--sandbox', answers.target.sandbox);
    else if (answers.target.world) args.push('--world', answers.target.world);
    args.push('--lmo-user', answers.lmoUser, '--org', answers.org, '--login-as', answers.loginAs, '--dir', answers.dir);
    if (answers.totpCode) args.push('--totp-code', answers.totpCode);
    const childEnv = { ...env };
    if (answers.password) childEnv.ISVDBG_PASSWORD = answers.password;
    return { args, env: childEnv };
}

/** @param {string} value */
function required(value) {
    return value.trim() ? undefined : 'Required';
}

/**
 * Asks for the answers; undefined when the user cancels.
 * @param {typeof import('vscode')} vscode
 * @param {{workspaceFolder?: string, dir?: string, existsSync(p: string): boolean}} deps
 * @returns {Promise<SetupAnswers | undefined>}
 */
async function askAnswers(vscode, deps) {
    const title = 'Set Up Project for ISV Debugging';
    const where = await vscode.window.showQuickPick(
        [
            { label: 'Built-in world', description: 'embedded: the default simulated instance', choice: 'builtin' },
            { label: 'World folder…', description: 'embedded: a world you describe', choice: 'world' },
            { label: 'Running sandbox…', description: 'a ws:// URL printed by `isvdbg sandbox`', choice: 'sandbox' },
        ],
        { title, placeHolder: 'Where does the subscriber sandbox run?' },
    );
    if (!where) return undefined;
    /** @type {SetupAnswers['target']} */
    let target = { world: undefined };
    if (where.choice === 'sandbox') {
        const url = await vscode.window.showInputBox({
            title,
            prompt: 'Sandbox URL',
            value: 'ws://127.0.0.1:7421',
            validateInput: (v) => (/^wss?:\/\/\S+$/i.test(v.trim()) ? undefined : 'A ws:// or wss:// URL, such as ws://127.0.0.1:7421'),
        });
        if (url === undefined) return undefined;
        target = { sandbox: url.trim() };
    } else if (where.choice === 'world') {
        const world = await vscode.window.showInputBox({
            title,
            prompt: 'World folder (with world.toml)',
            validateInput: (v) => (v.trim() && deps.existsSync(v.trim()) ? undefined : 'An existing folder'),
        });
        if (world === undefined) return undefined;
        target = { world: world.trim() };
    }
    const embedded = !('sandbox' in target);
    const ask = (/** @type {import('vscode').InputBoxOptions} */ options) =>
        vscode.window.showInputBox({ title, ignoreFocusOut: true, ...options });

    const lmoUser = await ask({ prompt: 'Your username in the License Management Org', placeHolder: 'support@acme.example', validateInput: required });
    if (lmoUser === undefined) return undefined;
    const org = await ask({ prompt: 'Subscriber org: name, key or org id', placeHolder: 'globex-full', validateInput: required });
    if (org === undefined) return undefined;
    const loginAs = await ask({ prompt: 'Subscriber user to log in as (who granted login access)', placeHolder: 'admin@globex.example.full', validateInput: required });
    if (loginAs === undefined) return undefined;
    const dir = await ask({ prompt: 'Project folder to create or update', value: deps.dir ?? deps.workspaceFolder ?? '', validateInput: required });
    if (dir === undefined) return undefined;
    const password = await ask({
        prompt: embedded
            ? `Password of ${lmoUser.trim()} (leave empty to use the world's fixture credentials)`
            : `Password of ${lmoUser.trim()}`,
        password: true,
        validateInput: embedded ? undefined : required,
    });
    if (password === undefined) return undefined;
    const totpCode = await ask({
        prompt: embedded
            ? 'Verification code from your authenticator app (leave empty to use the world\'s fixture secret)'
            : 'Verification code from your authenticator app',
        validateInput: (v) => (/^\d{6}$/.test(v.trim()) || (embedded && !v.trim()) ? undefined : 'Six digits'),
    });
    if (totpCode === undefined) return undefined;
    return {
        target,
        lmoUser: lmoUser.trim(),
        org: org.trim(),
        loginAs: loginAs.trim(),
        dir: dir.trim(),
        password,
        totpCode: totpCode.trim(),
    };
}

/**
 * @typedef {object} SetupDeps
 * @property {() => string} findBinary the isvdbg binary; throws with a message when none
 * @property {typeof import('node:child_process').spawn} spawn
 * @property {Record<string, string | undefined>} env
 * @property {(p: string) => boolean} existsSync
 * @property {string} [workspaceFolder]
 * @property {{appendLine(line: string): void, show(preserveFocus?: boolean): void}} output
 */

/**
 * Runs `isvdbg setup`, reporting each line it prints as progress. Resolves
 * to the exit code, and the last line of stderr (the failed step).
 * @param {typeof import('vscode')} vscode
 * @param {SetupDeps} deps
 * @param {string} command
 * @param {{args: string[], env: Record<string, string | undefined>}} invocation
 * @returns {Promise<{code: number | null, error: string}>}
 */
function runSetup(vscode, deps, command, invocation) {
    const title = 'Setting up the project for ISV debugging';
    return Promise.resolve(
        vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) =>
            new Promise((resolve) => {
                const child = deps.spawn(command, invocation.args, {
                    env: /** @type {NodeJS.ProcessEnv} */ (invocation.env),
                    stdio: ['ignore', 'pipe', 'pipe'],
                });
                token.onCancellationRequested(() => child.kill());
                let stderr = '';
                child.stdout?.setEncoding('utf8');
                child.stderr?.setEncoding('utf8');
                let pending = '';
                child.stdout?.on('data', (/** @type {string} */ chunk) => {
                    const lines = (pending + chunk).split('\n');
                    pending = lines.pop() ?? '';
                    for (const line of lines.filter((l) => l.trim())) {
                        deps.output.appendLine(line);
                        progress.report({ message: line });
                    }
                });
                child.stderr?.on('data', (/** @type {string} */ chunk) => {
                    stderr += chunk;
                    deps.output.appendLine(chunk.trimEnd());
                });
                child.on('error', (e) => resolve({ code: null, error: `could not start ${command}: ${e.message}` }));
                child.on('close', (code) => {
                    if (pending.trim()) deps.output.appendLine(pending);
                    const last = stderr.trim().split('\n').pop() ?? '';
                    resolve({ code, error: last.replace(/^✗\s*/, '') });
                });
            }),
        ),
    );
}

/**
 * The command.
 * @param {typeof import('vscode')} vscode
 * @param {SetupDeps} deps
 * @param {string} [dir] a project folder to propose
 */
async function setupProject(vscode, deps, dir) {
    let command;
    try {
        command = deps.findBinary();
    } catch (e) {
        void vscode.window.showErrorMessage(/** @type {Error} */ (e).message);
        return;
    }
    const answers = await askAnswers(vscode, { workspaceFolder: deps.workspaceFolder, dir, existsSync: deps.existsSync });
    if (!answers) return;
    const invocation = setupInvocation(answers, deps.env);
    deps.output.appendLine(`$ isvdbg ${invocation.args.join(' ')}`);
    const { code, error } = await runSetup(vscode, deps, command, invocation);
    if (code !== 0) {
        deps.output.show(true);
        void vscode.window.showErrorMessage(`isvdbg setup failed: ${error || `exit code ${code}`}`);
        return;
    }
    const openFolder = 'Open Folder';
    const inWorkspace = deps.workspaceFolder === answers.dir;
    const choice = await vscode.window.showInformationMessage(
        `${answers.dir} is set up for ISV debugging. ${inWorkspace ? 'Press F5 to debug.' : 'Open it and press F5 to debug.'}`,
        ...(inWorkspace ? [] : [openFolder]),
    );
    if (choice === openFolder) await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(answers.dir));
}

module.exports = { setupProject, setupInvocation, askAnswers, runSetup };
