/**
 * No regular expression in the code that handles input may backtrack catastrophically. The regexes are found by
 * scanning the sources with the TypeScript compiler (regex literals, and `RegExp(...)` / `new RegExp(...)` with
 * literal arguments), not from a hand-kept list, and each is checked with recheck.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { checkSync } from 'recheck';

const root = path.join(import.meta.dirname, '../..');
const ROOTS = ['shared', 'server', 'client/src'];

interface FoundRegex {
  where: string;
  source: string;
  flags: string;
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** The text of a string literal or a no-substitution template, or null for anything computed. */
function literalText(node: ts.Node | undefined): string | null {
  if (!node) return null;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  return null;
}

function findRegexes(file: string, text = readFileSync(file, 'utf8')): FoundRegex[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: FoundRegex[] = [];
  const where = (node: ts.Node) => `${path.relative(root, file)}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const literal = node.getText(sf);
      const slash = literal.lastIndexOf('/');
      found.push({ where: where(node), source: literal.slice(1, slash), flags: literal.slice(slash + 1) });
    } else if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp') {
      const source = literalText(node.arguments?.[0]);
      if (source !== null) {
        const flags = node.arguments && node.arguments.length > 1 ? literalText(node.arguments[1]) : '';
        if (flags !== null) found.push({ where: where(node), source, flags });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

const regexes = ROOTS.flatMap((dir) => tsFiles(path.join(root, dir))).flatMap((file) => findRegexes(file));

describe('ReDoS: every regex in shared/, server/ and client/src/', () => {
  it('the scan finds the regexes (it cannot silently find nothing)', () => {
    // 40 when this test was written
    expect(regexes.length).toBeGreaterThanOrEqual(25);
    // a few that must be among them
    const files = new Set(regexes.map((r) => r.where.split(':')[0]));
    for (const f of ['shared/links.ts', 'shared/etherpad-format.ts', 'shared/pad-name.ts']) expect(files).toContain(f);
  });

  it('the scanner sees literals and RegExp calls with literal arguments, and skips computed ones', () => {
    const found = findRegexes(
      path.join(root, 'synthetic.ts'),
      "const a = /a+b/gi; const b = new RegExp('c*d', 'm'); const c = RegExp(`e?`); const d = new RegExp(x); const e = '/not/';",
    );
    expect(found.map((r) => [r.source, r.flags])).toEqual([['a+b', 'gi'], ['c*d', 'm'], ['e?', '']]);
  });

  it('recheck finds every one of them safe', { timeout: 300_000 }, () => {
    const failures: string[] = [];
    for (const r of regexes) {
      const result = checkSync(r.source, r.flags);
      if (result.status !== 'safe') {
        const attack = result.status === 'vulnerable' ? ` attack: ${JSON.stringify(result.attack.pattern)} (${result.complexity.type})` : ` (${result.status})`;
        failures.push(`${r.where} /${r.source}/${r.flags}${attack}`);
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });
});

describe('hostile long lines finish (parsed or refused)', async () => {
  const { parseEtherpadText, ImportFormatError, MAX_LINE_LENGTH } = await import('../../shared/etherpad-format.js');
  const { parseEntryText, parseLink } = await import('../../shared/links.js');

  /** The patterns these parsers used before they were made linear: recheck's attack strings for them are the input. */
  const FORMER = [
    ['^(?:=+\\s*(.+?)\\s*=*|#{1,6}\\s+(.+?))\\s*$', ''],
    ['^\\s*([^:|]+?)\\s*:\\s*(\\d{4}-\\d{2}-\\d{2})\\s*(.*?)\\s*$', ''],
    ['[.,;]+$', ''],
    ['^\\/c\\/(.+?)\\/\\+\\/(\\d+)(?:\\/(\\d+))?(?:\\/.*)?$', ''],
    ['^\\/c\\/(\\d+)(?:\\/(\\d+))?\\/?(?:.*)?$', ''],
    ['\\[(.*)\\]', ''],
  ] as const;

  /** `pattern` repeated to `length` characters. */
  const fill = (pattern: string, length: number) => pattern.repeat(Math.ceil(length / pattern.length)).slice(0, length);

  const attacks: string[] = [];
  for (const [source, flags] of FORMER) {
    const result = checkSync(source, flags);
    if (result.status === 'vulnerable') {
      // the attack's repeated part, filled to the sizes that matter
      const repeated = result.attack.pumps[0]?.pump ?? result.attack.string;
      const prefix = result.attack.pumps[0]?.prefix ?? '';
      attacks.push(`${prefix}${fill(repeated, 3000)}${result.attack.suffix}`, `${prefix}${fill(repeated, 100_000)}${result.attack.suffix}`);
    }
  }
  const fragments = ['[', '(', 'http://', 'https://review.opendev.org/c/', '/+/1/', '= \t', '#\t', ',', 'topic:', 'a: 2025-01-01 '];
  const hostile = [
    ...attacks,
    ...fragments.flatMap((f) => [fill(f, 3000), fill(f, 100_000), `* ${fill(f, 3000)}`, `== ${fill(f, 3000)}`]),
  ];

  it('recheck gave attack strings for the former patterns', () => {
    expect(attacks.length).toBeGreaterThanOrEqual(FORMER.length * 2 - 2);
  });

  it('parseEtherpadText parses a 3 KB hostile line and refuses a 100 KB one with ImportFormatError', { timeout: 60_000 }, () => {
    for (const line of hostile) {
      const text = `Title\n== Proposed ==\n${line}\n\t${line}\n\t\t* ${line}\n`;
      if (line.length + 4 > MAX_LINE_LENGTH) {
        expect(() => parseEtherpadText(text)).toThrow(ImportFormatError);
        expect(() => parseEtherpadText(line)).toThrow(/line 1 is \d+ characters long/);
      } else {
        expect(parseEtherpadText(text).meta.title).toBe('Title');
        expect(() => parseEtherpadText(`${line}\n${line}`)).not.toThrow();
      }
    }
  });

  it('the link parsers read a hostile line or ignore an over-long one', { timeout: 60_000 }, () => {
    for (const line of hostile) {
      const draft = parseEntryText(line);
      if (line.length > MAX_LINE_LENGTH && !line.includes('\n')) expect(draft).toEqual({ kind: 'other', title: '', launchpad: '', owner: '', reviews: [], rest: '' });
      parseLink(line);
      parseLink(`https://review.opendev.org${line.startsWith('/') ? '' : '/'}${line}`);
      parseLink(`https://review.opendev.org/#${line}`);
    }
    // over-long lines in a paste are left out; the rest is still read
    expect(parseEntryText(`${fill('http://', 100_000)}\nhttps://launchpad.net/bugs/5 [t] (x)`)).toMatchObject({ launchpad: 'https://launchpad.net/bugs/5', title: 't', owner: 'x' });
  });
});
