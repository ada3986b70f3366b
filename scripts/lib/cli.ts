/**
 * The one way the CLIs read their arguments: a table of options (type, default, value name, help) that feeds both
 * node:util parseArgs (strict: unknown options and missing values are errors) and the generated `--help` text.
 *
 *   const CLI = defineCli({ command: 'npm run render --', summary: '...', options: { id: { type: 'string',
 *     value: 'ECG_ID', help: 'record to draw' }, ... } });
 *   const { values, positionals } = parseCli(CLI, argv);   // --help prints usage(CLI) and exits 0
 *
 * Values stay strings (or booleans); each CLI checks numbers and names itself, with messages that name the flag.
 */
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** Placeholder of the value in the help text (strings only), e.g. N, DIR, 1-8. */
  value?: string;
  default?: string | boolean;
  /** May be given more than once (strings only); the values come as an array. */
  multiple?: boolean;
  short?: string;
  help: string;
}

export interface CliSpec<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  /** How the command is typed, e.g. 'npm run eval --'. */
  command: string;
  summary: string;
  options: O;
  /** Positional arguments in the usage line (e.g. 'FILE...'); none allowed when absent. */
  positionals?: string;
  /** Builds the error thrown for bad arguments (default: CliError). */
  error?: (message: string) => Error;
  /** Message for an unknown option (default: `unknown argument --x`). */
  unknown?: (arg: string) => string;
}

export type CliValues<O extends Record<string, OptionSpec>> = {
  [K in keyof O]: O[K]['type'] extends 'boolean'
    ? boolean
    : O[K]['multiple'] extends true
      ? string[] | undefined
      : O[K] extends { default: string }
        ? string
        : string | undefined;
};

export class CliError extends Error {
  override name = 'CliError';
}

export function defineCli<const O extends Record<string, OptionSpec>>(spec: CliSpec<O>): CliSpec<O> {
  return spec;
}

/** The help text: usage line, summary, then one line per option with its default. */
export function usage(spec: CliSpec): string {
  const flag = (name: string, o: OptionSpec) =>
    `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
  const rows = Object.entries(spec.options).map(([name, o]) => {
    const def = o.default !== undefined && o.default !== false ? ` (default: ${String(o.default)})` : '';
    return [flag(name, o), `${o.help}${def}`] as const;
  });
  rows.push(['-h, --help', 'print this help']);
  const width = Math.max(...rows.map(([f]) => f.length));
  const lines = rows.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`);
  return [
    `usage: ${spec.command} [options]${spec.positionals ? ` ${spec.positionals}` : ''}`,
    '',
    spec.summary,
    '',
    ...lines,
  ].join('\n');
}

/** Parses argv against the table. `--help` prints usage(spec) and exits 0. */
export function parseCli<O extends Record<string, OptionSpec>>(
  spec: CliSpec<O>,
  argv: string[],
): { values: CliValues<O>; positionals: string[] } {
  const options: Record<
    string,
    { type: 'string' | 'boolean'; default?: string | boolean; multiple?: boolean; short?: string }
  > = { help: { type: 'boolean', default: false } };
  for (const [name, o] of Object.entries(spec.options)) {
    options[name] = {
      type: o.type,
      ...(o.default !== undefined ? { default: o.default } : {}),
      ...(o.multiple ? { multiple: true } : {}),
      ...(o.short ? { short: o.short } : {}),
    };
  }
  const fail = spec.error ?? ((m: string) => new CliError(m));
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options,
      strict: true,
      allowPositionals: spec.positionals !== undefined,
    });
    const { help, ...rest } = values as Record<string, unknown> & { help: boolean };
    if (help) {
      console.log(usage(spec));
      process.exit(0);
    }
    return { values: rest as CliValues<O>, positionals };
  } catch (e) {
    const err = e as Error & { code?: string };
    const arg = /'([^']+)'/.exec(err.message)?.[1] ?? '';
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw fail(
        `${(spec.unknown ?? ((a) => `unknown argument ${a}`))(arg.split(/[ =]/)[0] ?? arg)}\n${usageLine(spec)}`,
      );
    }
    if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const what = /does not take/.test(err.message) ? 'takes no value' : 'needs a value';
      throw fail(`${arg.split(' ')[0]} ${what}\n${usageLine(spec)}`);
    }
    if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
      throw fail(`unexpected argument ${arg}\n${usageLine(spec)}`);
    throw e;
  }
}

function usageLine(spec: CliSpec): string {
  return `usage: ${spec.command} [options]${spec.positionals ? ` ${spec.positionals}` : ''} (--help lists them)`;
}
