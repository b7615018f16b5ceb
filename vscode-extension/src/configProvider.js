// @ts-check
// Fills in apex-isv debug configurations and checks the project folder
// before a session starts.
'use strict';

const path = require('node:path');

const DEBUG_TYPE = 'apex-isv';
const SETUP_COMMAND = 'isvdbg.setupProject';
const SETUP_TITLE = 'ISV Debugger: Set Up Project for ISV Debugging';

/** The configuration F5 uses when there is no launch.json. */
function defaultConfiguration() {
    return {
        type: DEBUG_TYPE,
        request: 'launch',
        name: 'Debug Apex (ISV)',
        salesforceProject: '${workspaceFolder}',
    };
}

/**
 * Whether a launch names its subscriber org, user and LMO user itself, so it
 * needs no session file.
 * @param {Record<string, unknown>} config
 */
function namesItsIdentity(config) {
    return ['subscriberOrg', 'loginAsUser', 'lmoUser'].every(
        (key) => typeof config[key] === 'string' && config[key] !== '',
    );
}

/**
 * What is wrong with a project folder for ISV debugging, or undefined.
 * @param {string} dir
 * @param {{needsSession: boolean}} options
 * @param {{existsSync(p: string): boolean}} fs
 * @returns {string | undefined}
 */
function projectProblem(dir, { needsSession }, fs) {
    const fix = `run "${SETUP_TITLE}" (or \`isvdbg setup --dir ${dir} ...\` in a terminal)`;
    if (!fs.existsSync(dir)) {
        return `The Salesforce project folder ${dir} does not exist. Set salesforceProject in launch.json to your project folder, or to create one, ${fix}.`;
    }
    if (!fs.existsSync(path.join(dir, 'sfdx-project.json'))) {
        return `${dir} is not a Salesforce DX project (no sfdx-project.json). To create one with the package source, ${fix}.`;
    }
    if (needsSession && !fs.existsSync(path.join(dir, '.isvdbg', 'session.json'))) {
        return `${dir} is not set up for ISV debugging (no .isvdbg/session.json naming the subscriber org and user to debug as). To set it up, ${fix}; or give subscriberOrg, loginAsUser and lmoUser in launch.json.`;
    }
    return undefined;
}

/**
 * @param {typeof import('vscode')} vscode
 * @param {{fs: {existsSync(p: string): boolean}}} deps
 * @returns {import('vscode').DebugConfigurationProvider}
 */
function createConfigurationProvider(vscode, deps) {
    return {
        provideDebugConfigurations() {
            return [defaultConfiguration()];
        },

        resolveDebugConfiguration(folder, config) {
            // F5 with no launch.json: an empty configuration.
            if (!config.type && !config.request && !config.name) {
                config = { ...defaultConfiguration() };
            }
            if (config.salesforceProject === undefined && !(config.request === 'launch' && namesItsIdentity(config))) {
                config.salesforceProject = folder ? folder.uri.fsPath : '${workspaceFolder}';
            }
            return config;
        },

        async resolveDebugConfigurationWithSubstitutedVariables(_folder, config) {
            const dir = config.salesforceProject;
            if (typeof dir !== 'string' || dir === '' || dir.includes('${')) {
                // The adapter names what is wrong with the attribute itself.
                return config;
            }
            const problem = projectProblem(
                dir,
                { needsSession: !(config.request === 'launch' && namesItsIdentity(config)) },
                deps.fs,
            );
            if (!problem) return config;
            const setUp = 'Set Up Project';
            const choice = await vscode.window.showErrorMessage(problem, setUp);
            if (choice === setUp) await vscode.commands.executeCommand(SETUP_COMMAND, dir);
            // undefined ends the launch without opening launch.json.
            return undefined;
        },
    };
}

module.exports = { createConfigurationProvider, defaultConfiguration, projectProblem, DEBUG_TYPE };
