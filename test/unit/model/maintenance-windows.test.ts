// Maintenance windows the loader refuses, each at the field to fix with a hint: a cron that
// never matches or is out of range, an unknown time zone, a zero, negative or unreadable
// duration, a window longer than the time between two of its starts; and `essg validate`
// prints them as FILE:LINE:COL.
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryReader } from '../../../src/model/file-reader.ts';
import { loadFleet } from '../../../src/model/load.ts';
import { windowDurationMs, windowFault } from '../../../src/model/maintenance-windows.ts';
import { runEssg } from '../../support/cli.ts';
import { edit, templateFiles } from '../../support/template-fleet.ts';

const ACME = 'customers/acme.yaml';
const WINDOW = '{ cron: "0 2 * * 6", duration: 4h, timezone: Asia/Shanghai }';

/** The template with acme's window replaced; the problem's line and the column of `at` in it. */
function withWindow(window: string, at: string) {
  const files = templateFiles();
  edit(files, ACME, WINDOW, window);
  const lines = files[ACME]!.split('\n');
  const line = lines.findIndex((l) => l.includes(window)) + 1;
  return { files, line, col: lines[line - 1]!.indexOf(at) + 1 };
}

async function problemsOf(files: Record<string, string>) {
  const result = await loadFleet({ reader: new MemoryReader({ files }) });
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.problems;
}

describe('maintenance windows the loader refuses', () => {
  const cases: { name: string; window: string; at: string; code: string; message: RegExp; hint: RegExp }[] = [
    { name: 'a cron that can never match (31 February)', window: '{ cron: "0 0 31 2 *", duration: 4h }', at: '"0 0 31 2 *"', code: 'INVALID_CRON', message: /cron `0 0 31 2 \*` never opens the window/, hint: /day-of-month \(1-31\)/ },
    { name: 'a minute out of range', window: '{ cron: "61 2 * * 6", duration: 4h }', at: '"61 2 * * 6"', code: 'INVALID_CRON', message: /got value 61 expected range 0-59/, hint: /minute \(0-59\)/ },
    { name: 'an hour out of range', window: '{ cron: "0 24 * * 6", duration: 1h }', at: '"0 24 * * 6"', code: 'INVALID_CRON', message: /expected range 0-23/, hint: /five fields/ },
    { name: 'letters where numbers belong', window: '{ cron: "a b c d e", duration: 1h }', at: '"a b c d e"', code: 'INVALID_CRON', message: /never opens/, hint: /five fields/ },
    { name: 'an unknown time zone', window: '{ cron: "0 2 * * 6", duration: 4h, timezone: Asia/Shangai }', at: 'Asia/Shangai', code: 'UNKNOWN_TIMEZONE', message: /`Asia\/Shangai` is not an IANA time zone/, hint: /Asia\/Shanghai/ },
    { name: 'a UTC offset instead of a zone', window: '{ cron: "0 2 * * 6", duration: 4h, timezone: "+08:00" }', at: '"+08:00"', code: 'UNKNOWN_TIMEZONE', message: /not an IANA time zone/, hint: /IANA/ },
    { name: 'a zero duration', window: '{ cron: "0 2 * * 6", duration: 0h }', at: '0h', code: 'INVALID_DURATION', message: /duration `0h` is zero/, hint: /positive duration/ },
    { name: 'a zero duration in every unit', window: '{ cron: "0 2 * * 6", duration: 0h0m0s }', at: '0h0m0s', code: 'INVALID_DURATION', message: /is zero/, hint: /positive/ },
    { name: 'a daily window of 25 hours', window: '{ cron: "0 2 * * *", duration: 25h }', at: '25h', code: 'WINDOW_LONGER_THAN_PERIOD', message: /25h window is longer than the 24h between two starts of `0 2 \* \* \*`/, hint: /at most 24h/ },
    { name: 'an hourly cron with a 4 h window', window: '{ cron: "0 * * * *", duration: 4h }', at: '4h', code: 'WINDOW_LONGER_THAN_PERIOD', message: /longer than the 1h between two starts/, hint: /at most 1h/ },
    {
      name: 'a daily window of 24 hours in a zone with summer time (the spring day has 23)', window: '{ cron: "0 2 * * *", duration: 24h, timezone: Europe/Berlin }', at: '24h',
      code: 'WINDOW_LONGER_THAN_PERIOD', message: /longer than the 23h between two starts of `0 2 \* \* \*` in Europe\/Berlin/, hint: /at most 23h/,
    },
    { name: 'two starts a week, three days apart at the closest', window: '{ cron: "0 22 * * 2,4", duration: 49h }', at: '49h', code: 'WINDOW_LONGER_THAN_PERIOD', message: /longer than the 48h between/, hint: /at most 48h/ },
  ];

  it.each(cases)('$name', async ({ window, at, code, message, hint }) => {
    const { files, line, col } = withWindow(window, at);
    const problems = await problemsOf(files);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: ACME, line, col, code });
    expect(problems[0]!.message).toMatch(message);
    expect(problems[0]!.hint).toMatch(hint);
  });

  it('refuses a negative or unreadable duration already by the schema, at the same place', async () => {
    for (const duration of ['-4h', 'four hours', '4d']) {
      const { files, line, col } = withWindow(`{ cron: "0 2 * * 6", duration: "${duration}" }`, `"${duration}"`);
      const problems = await problemsOf(files);
      expect(problems.map((p) => [p.file, p.line, p.col])).toEqual([[ACME, line, col]]);
    }
  });

  it('accepts the template’s windows, a window exactly as long as its period, and a window without a zone', async () => {
    expect((await loadFleet({ reader: new MemoryReader({ files: templateFiles() }) })).ok).toBe(true);
    for (const window of ['{ cron: "0 2 * * *", duration: 24h }', '{ cron: "30 1 * * 1-5", duration: 90m, timezone: America/New_York }', '{ cron: "0 0 29 2 *", duration: 48h }']) {
      const { files } = withWindow(window, 'cron');
      const result = await loadFleet({ reader: new MemoryReader({ files }) });
      expect(result.ok ? [] : result.problems).toEqual([]);
    }
  });

  it('reports every broken window of a customer, each at its own line', async () => {
    const files = templateFiles();
    edit(files, ACME, `    - ${WINDOW}\n`, '    - { cron: "0 0 31 2 *", duration: 1h }\n    - { cron: "0 2 * * 6", duration: 4h, timezone: Mars/Olympus }\n');
    const problems = await problemsOf(files);
    expect(problems.map((p) => [p.code, p.line])).toEqual([['INVALID_CRON', 10], ['UNKNOWN_TIMEZONE', 11]]);
  });
});

describe('window durations', () => {
  it.each([
    ['4h', 4 * 3_600_000], ['1h30m', 5_400_000], ['90s', 90_000], ['2h0m15s', 7_215_000], ['0h', 0],
  ])('%s is %d ms', (text, ms) => expect(windowDurationMs(text)).toBe(ms));

  it.each(['', 'h', '4', '4x', '30m1h', '1h1h', '-4h', '4 h'])('%j is not a duration', (text) => expect(windowDurationMs(text)).toBeUndefined());

  it('judges one window once, however many customers share it', () => {
    const window = { cron: '0 2 * * *', duration: '25h', timezone: 'UTC' };
    expect(windowFault(window)).toBe(windowFault({ ...window }));
  });
});

describe('essg validate', () => {
  it('prints a broken window as FILE:LINE:COL: CODE: message (hint) and exits 1', async () => {
    const { files, line, col } = withWindow('{ cron: "0 0 31 2 *", duration: 4h, timezone: Asia/Shanghai }', '"0 0 31 2 *"');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'essg-windows-'));
    try {
      for (const [file, content] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
        await writeFile(path.join(dir, file), content);
      }
      const result = await runEssg(['validate', dir]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(`${ACME}:${line}:${col}: INVALID_CRON: cron \`0 0 31 2 *\` never opens the window: Invalid explicit day of month definition (five fields:`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
