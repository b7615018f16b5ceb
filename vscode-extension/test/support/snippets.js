// @ts-check
// Turns a configurationSnippet body into the configuration VS Code would
// hand the adapter: `^"..."` fragments parsed, tab stops replaced by their
// default text, and launch.json variables by sample values.
'use strict';

/** Sample values for the variables the snippets use. */
const VARIABLES = {
    workspaceFolder: '/work/globex-support',
    file: '/work/globex-support/logs/07L000000000001.log',
};

/**
 * Replaces `${N:text}` tab stops (nested ones too) by their text and `$N` by
 * nothing; keeps `\$` escapes for the next step.
 * @param {string} text
 */
function expandTabStops(text) {
    let out = '';
    for (let i = 0; i < text.length; i++) {
        if (text[i] === '\\') {
            out += text.slice(i, i + 2);
            i++;
        } else if (text[i] === '$' && /\d/.test(text[i + 1] ?? '')) {
            i++;
            while (/\d/.test(text[i + 1] ?? '')) i++;
        } else if (text.startsWith('${', i) && /^\$\{\d+:/.test(text.slice(i))) {
            const open = text.indexOf(':', i) + 1;
            let depth = 1;
            let j = open;
            for (; j < text.length && depth > 0; j++) {
                if (text[j] === '\\') j++;
                else if (text[j] === '{') depth++;
                else if (text[j] === '}') depth--;
            }
            out += expandTabStops(text.slice(open, j - 1));
            i = j - 1;
        } else {
            out += text[i];
        }
    }
    return out;
}

/**
 * @param {string} text a snippet string after tab stops are expanded
 * @param {Record<string, string>} variables
 */
function substituteVariables(text, variables) {
    return text.replace(/\$\{(\w+)\}/g, (whole, name) => {
        const value = variables[name];
        if (value === undefined) throw new Error(`the snippet uses \${${name}}, which the test has no sample for`);
        return value;
    });
}

/**
 * @param {unknown} value a snippet body or part of one
 * @param {Record<string, string>} [variables] values of launch.json variables
 * @returns {unknown}
 */
function resolveSnippet(value, variables = VARIABLES) {
    if (typeof value === 'string') {
        if (value.startsWith('^')) {
            const fragment = expandTabStops(value.slice(1)).replace(/\\\$/g, '$');
            return resolveSnippet(JSON.parse(fragment), variables);
        }
        return substituteVariables(value, variables);
    }
    if (Array.isArray(value)) return value.map((v) => resolveSnippet(v, variables));
    if (value && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveSnippet(v, variables)]));
    }
    return value;
}

module.exports = { resolveSnippet, expandTabStops, VARIABLES };
