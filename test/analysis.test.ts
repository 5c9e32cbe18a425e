/**
 * Unit behaviour of transcript analysis: the examples with their evidence spans,
 * negation and hypotheticals, numbers as speech-to-text writes them, speaker gating, personal
 * data and redaction, the CLI object's exact keys, and the phrase book (validation, extension).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  analyzeUtterance,
  compilePhraseBook,
  DEFAULT_PHRASES_PATH,
  defaultPhraseBook,
  findPii,
  loadPhraseBook,
  luhn,
  type PhraseBook,
  parsePhraseBook,
  redactPii,
  toCliJson,
} from '../src/analysis/index.ts';
import { compilePhrase, PhraseSyntaxError } from '../src/analysis/phrase-syntax.ts';
import { Scope } from '../src/analysis/scope.ts';
import { findAll, readText } from '../src/analysis/text.ts';
import { isGuardlineError } from '../src/errors/index.ts';

const agent = (text: string) => analyzeUtterance(text, 'agent');
const customer = (text: string) => analyzeUtterance(text, 'customer');
const quote = (text: string, span: [number, number]) => text.slice(span[0], span[1]);

describe('concessions', () => {
  it.each([
    ['I can give you 20% off', 'percent_off', 20, 'percent', '20% off'],
    ['twenty-five percent off', 'percent_off', 25, 'percent', 'twenty-five percent off'],
    ['i can do a quarter off', 'percent_off', 25, 'percent', 'a quarter off'],
    ['half price on the add-on', 'percent_off', 50, 'percent', 'half price'],
    ['how about 10 pct off', 'percent_off', 10, 'percent', '10 pct off'],
    ['I can knock $300 off', 'amount_off', 300, 'usd', '$300 off'],
    ['three hundred bucks off', 'amount_off', 300, 'usd', 'three hundred bucks off'],
    ['i can do fifteen hundred dollars', 'price', 1500, 'usd', 'fifteen hundred dollars'],
    ['how about 1.5k', 'price', 1500, 'usd', '1.5k'],
    ['it is $1,499 a month', 'price', 1499, 'usd', '$1,499'],
    ['first month free', 'free_period', 1, 'months', 'first month free'],
    ['two months on us', 'free_period', 2, 'months', 'two months on us'],
    ["I'll waive the setup fee", 'waived_fee', null, null, 'waive the setup fee'],
    ["we'll match their price", 'price_match', null, null, 'match their price'],
  ])('%s', (text, kind, value, unit, evidence) => {
    const facts = agent(text);
    expect(facts.concessions).toHaveLength(1);
    const [c] = facts.concessions;
    expect(c).toMatchObject({ kind, value, unit });
    expect(quote(text, c?.span ?? [0, 0])).toBe(evidence);
  });

  it('does not read negations or refusals as offers', () => {
    expect(agent("I can't do thirty percent").concessions).toEqual([]);
    expect(agent("i'm not able to go below list").concessions).toEqual([]);
    expect(agent('thirty percent off is not possible').concessions).toEqual([]);
    expect(agent("unfortunately the setup fee can't be waived").concessions).toEqual([]);
  });

  it('keeps the offer after a refusal in the same sentence', () => {
    const facts = agent("i can't do thirty percent but i can do twenty five percent");
    expect(facts.concessions.map((c) => c.value)).toEqual([25]);
  });

  it('flags a hypothetical as a risky phrase, not an offer', () => {
    const text = "if it were up to me I'd give you 40%";
    const facts = agent(text);
    expect(facts.concessions).toEqual([]);
    expect(facts.riskyPhrases).toHaveLength(1);
    expect(quote(text, facts.riskyPhrases[0] as [number, number])).toBe(text);
  });

  it('treats a negated limit as the bound it states', () => {
    expect(agent("I can't go beyond twenty percent off").concessions).toMatchObject([
      { kind: 'percent_off', value: 20 },
    ]);
  });

  it('ignores numbers that are not our offer', () => {
    for (const text of [
      'their price is $1,200',
      'about 20% of our customers use it',
      'we have 1.5k users',
      'see you at the end of the month',
    ]) {
      expect(agent(text).concessions).toEqual([]);
    }
  });

  it('reads several concessions in one utterance, in order', () => {
    const facts = agent('ten percent off plus the first month free and no setup fee');
    expect(facts.concessions.map((c) => c.kind)).toEqual(['percent_off', 'free_period', 'waived_fee']);
  });
});

describe('commitments, claims and pressure (agent)', () => {
  it('finds guarantees, contract terms and dates with their spans', () => {
    const text = 'I promise it will ship by Friday';
    const facts = agent(text);
    expect(facts.commitments.map((c) => [c.kind, quote(text, c.span)])).toEqual([
      ['guarantee', 'I promise'],
      ['date', 'will ship by Friday'],
    ]);
    expect(agent("we'll change the termination clause").commitments).toMatchObject([{ kind: 'contract_term' }]);
    expect(agent('it usually ships within 5 days').commitments).toEqual([]);
    expect(agent("I can't guarantee that").commitments).toEqual([]);
  });

  it('tells denying being an AI from disclosing it', () => {
    const denial = agent("no, I'm not a bot");
    expect(denial.deniesBeingAI).toBe(true);
    expect(quote("no, I'm not a bot", denial.evidence.deniesBeingAI as [number, number])).toBe("I'm not a bot");
    const honest = agent("I'm not a real person, I'm an AI assistant");
    expect(honest.deniesBeingAI).toBe(false);
    expect(honest.disclosesAI).toBe(true);
    expect(agent('i can connect you to a real person').deniesBeingAI).toBe(false);
  });

  it('finds pressure and not its negation, and recording disclosures', () => {
    expect(agent('this price is only for today, you have to decide now').pressure).toBe(true);
    expect(agent("you don't have to decide now, take your time").pressure).toBe(false);
    expect(agent('this call is being recorded').disclosesRecording).toBe(true);
    expect(agent('this call is not recorded').disclosesRecording).toBe(false);
  });
});

describe('customer facts', () => {
  it('reads consent granted and declined', () => {
    expect(customer("yes that's fine").consent).toBe('granted');
    expect(customer("no that's fine").consent).toBe('granted');
    expect(customer("no, don't record this").consent).toBe('declined');
    expect(customer('what plans do you have').consent).toBeNull();
  });

  it('finds opt-outs in their many forms, and not their look-alikes', () => {
    for (const text of [
      'stop calling me',
      'take me off your list',
      'do not call',
      'remove my number',
      'unsubscribe',
      'STOP',
      'StopAll',
      'OPTOUT',
      'revoke',
      'Quit.',
    ]) {
      expect(customer(text).optOut, text).toBe(true);
    }
    for (const text of [
      'can you stop for a second',
      "don't stop",
      'end of the month works',
      'cancel my other order first',
    ]) {
      expect(customer(text).optOut, text).toBe(false);
    }
  });

  it('finds questions about talking to a machine', () => {
    expect(customer('is this a robot?').asksIfAI).toBe(true);
    expect(customer('am i talking to a real person').asksIfAI).toBe(true);
    expect(customer('can i talk to a real person').asksIfAI).toBe(false);
  });

  it('gates facts by speaker; keys are always present', () => {
    const a = agent('stop calling me, is this a robot?');
    expect([a.optOut, a.asksIfAI, a.consent]).toEqual([false, false, null]);
    const c = customer('I can give you 20% off, I promise, I am a real person');
    expect([c.concessions, c.commitments, c.deniesBeingAI]).toEqual([[], [], false]);
  });
});

describe('personal data', () => {
  const text = 'mail jane.doe@example.com or call (415) 555-0132, card 4111 1111 1111 1111, ssn 123-45-6789';

  it('finds email, phone, Luhn-valid card and SSN with spans', () => {
    const pii = findPii(text).map((p) => [p.kind, quote(text, p.span)]);
    expect(pii).toEqual([
      ['email', 'jane.doe@example.com'],
      ['phone', '(415) 555-0132'],
      ['card', '4111 1111 1111 1111'],
      ['ssn', '123-45-6789'],
    ]);
    expect(findPii('order 1234 5678 9012 3456')).toEqual([]);
    expect(luhn('4111111111111111')).toBe(true);
    expect(luhn('4111111111111112')).toBe(false);
  });

  it('redacts them, reusing facts when given', () => {
    const expected = 'mail [email] or call [phone], card [card], ssn [ssn]';
    expect(redactPii(text)).toBe(expected);
    expect(redactPii(text, customer(text))).toBe(expected);
    expect(redactPii('nothing here')).toBe('nothing here');
  });

  it('redacts what an overlapping finding hid, and its labels never look like new findings', () => {
    // Both found by fast-check: a spoken address right after a written one, and "[ssn]" read as a cue.
    expect(redactPii('jane.doe@example.com dot john dot smith at gmail dot com')).toBe('[email] dot [email]');
    const redacted = redactPii('123-45-6789 jane.doe@example.com then 1111 1111 five');
    expect(redacted).toBe('[ssn] [email] then 1111 1111 five');
    expect(findPii(redacted)).toEqual([]);
  });

  it('finds card numbers read back to back, without making cards of other long numbers', () => {
    expect(redactPii('4111 1111 1111 1111 4111 1111 1111 1111 thanks')).toBe('[card] [card] thanks');
    expect(findPii('order number 1234 5678 9012 3456 7890 1234')).toEqual([]);
  });

  it('finds spoken emails and digit words', () => {
    expect(findPii('it is jane dot doe at gmail dot com').map((p) => p.kind)).toEqual(['email']);
    expect(findPii('five five five one two three four five six seven').map((p) => p.kind)).toEqual(['phone']);
  });
});

describe('CLI object', () => {
  it('has exactly the documented keys in order', () => {
    const json = toCliJson(agent('I can give you 20% off, mail me at a@b.io'));
    expect(Object.keys(json)).toEqual([
      'text',
      'concessions',
      'commitments',
      'consent',
      'optOut',
      'asksIfAI',
      'deniesBeingAI',
      'pressure',
      'pii',
    ]);
    expect(Object.keys(json.concessions[0] ?? {})).toEqual(['kind', 'value', 'unit', 'span']);
    expect(Object.keys(json.pii[0] ?? {})).toEqual(['kind', 'span']);
  });
});

describe('phrase book', () => {
  const bundled = () => parse(readFileSync(DEFAULT_PHRASES_PATH, 'utf8')) as PhraseBook;

  it('loads the bundled file', () => {
    expect(loadPhraseBook().version).toBe(1);
  });

  it('rejects bad entries with GL_PHRASES_INVALID and the path of each', () => {
    const book = bundled() as unknown as Record<string, Record<string, unknown>>;
    (book.customer as Record<string, unknown>).optOut = ['stop (calling'];
    (book.agent as Record<string, unknown>).pressure = 'only today';
    try {
      parsePhraseBook(book);
      expect.unreachable();
    } catch (e) {
      expect(isGuardlineError(e) && e.code).toBe('GL_PHRASES_INVALID');
      expect(String((e as Error).message)).toContain('customer.optOut.0');
      expect(String((e as Error).message)).toContain('agent.pressure');
    }
    expect(() => parsePhraseBook({ ...bundled(), extra: [] })).toThrow(/GL_PHRASES_INVALID|not valid/);
  });

  it('reports unreadable files with the same code', () => {
    expect(() => loadPhraseBook('/nonexistent/phrases.yaml')).toThrow(
      expect.objectContaining({ code: 'GL_PHRASES_INVALID' }),
    );
  });

  it('lets a manager extend a list without code changes', () => {
    const book = bundled();
    expect(analyzeUtterance('kindly expunge my details', 'customer').optOut).toBe(false);
    book.customer.optOut.push('(expunge|purge) my (details|data)');
    const dir = mkdtempSync(path.join(tmpdir(), 'phrases-'));
    const file = path.join(dir, 'phrases.yaml');
    writeFileSync(file, stringify(book));
    expect(analyzeUtterance('kindly expunge my details', 'customer', loadPhraseBook(file)).optOut).toBe(true);
  });

  it('compiles the phrase syntax: optional apostrophes and hyphens, groups, gaps, numbers', () => {
    const re = (p: string) => new RegExp(`^(?:${compilePhrase(p)})$`, 'u');
    expect(re("don't call").test('dont call')).toBe(true);
    expect(re('set-up fee').test('setup fee')).toBe(true);
    expect(re('set-up fee').test('set up fee')).toBe(true);
    expect(re('take ... off (your|the) list').test('take my number off the list')).toBe(true);
    expect(re('only # (spots|seats) left').test('only twenty five spots left')).toBe(true);
    expect(re('(a|b)? c').test('c')).toBe(true);
    expect(() => compilePhrase('(a|b)?')).toThrow(PhraseSyntaxError);
    expect(() => compilePhrase('... a')).toThrow(PhraseSyntaxError);
    expect(() => compilePhrase('a [b]')).toThrow(PhraseSyntaxError);
  });

  it('skips only lists that cannot match (first-word index agrees with a full scan)', () => {
    const compiled = compilePhraseBook(defaultPhraseBook());
    const lists: { re: RegExp; id: number; first: readonly string[] | null }[] = [];
    const walk = (o: object) => {
      for (const v of Object.values(o)) {
        if (v && typeof v === 'object' && 're' in v && 'sticky' in v) lists.push(v as (typeof lists)[number]);
        else if (v && typeof v === 'object' && !(v instanceof RegExp) && !(v instanceof Map)) walk(v);
      }
    };
    walk(compiled);
    expect(lists.length).toBeGreaterThan(30);
    const samples = readFileSync(new URL('./fixtures/utterances/corpus.jsonl', import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { text: string }).text);
    samples.push('20%off the setup-fee', 'don’t CALL me', 'we’ll match their price!!', '$300off');
    for (const text of samples) {
      const t = readText(text);
      const scope = new Scope(t, compiled);
      for (const list of lists) {
        expect(
          scope.matches(list as never).map((m) => m.span),
          `${text} / ${list.re.source.slice(0, 40)}`,
        ).toEqual(findAll(list.re, t.norm));
      }
    }
  });
});
