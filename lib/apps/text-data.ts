import { readFile } from 'node:fs/promises';
import { createRandom } from '../model/random.js';
import { AppDataError } from './errors.js';
import { textFeatures, type TextFeatureOptions } from './text.js';

/**
 * Synthetic labelled sentences for the two text examples. No labelled proposal or moderation corpus
 * can be had offline, so sentences are generated: each class has a list of templates whose `{slot}`s
 * are filled with words drawn from shared word lists. Both classes draw from the same lists (a
 * flagged proposal can mention "community", an ordinary one "treasury"), so the words of a template,
 * not the slot words, carry the label. After generation a share of the labels ({@link TEXT_LABEL_NOISE})
 * is flipped, so no model can be perfect. The generator is seeded (mulberry32): the same seed and
 * size give the same sentences.
 */
export type TextExample = { label: 0 | 1; text: string };
export type TextCorpus = {
  /** Class names, index = label. */
  classes: [string, string];
  templates: [readonly string[], readonly string[]];
  slots: Readonly<Record<string, readonly string[]>>;
};

/** Share of labels flipped after generation. */
export const TEXT_LABEL_NOISE = 0.03;

const sharedSlots = {
  token: ['ETH', 'USDC', 'DAI', 'governance tokens', 'stablecoins', 'WBTC'],
  amount: ['5', '20', '150', '1,000', '25,000', '300'],
  period: ['six months', 'one year', 'the next quarter', 'two years', 'twelve weeks'],
  topic: ['staking', 'treasury', 'bridge', 'grants program', 'community', 'roadmap', 'audit', 'governance'],
  who: ['the proposer', 'an anonymous wallet', 'a new multisig', 'my friend', 'the core team', 'an unknown account'],
} as const;

/** DAO proposals: 0 ordinary, 1 flagged (treasury drain, governance takeover, spam). */
export const PROPOSAL_CORPUS: TextCorpus = {
  classes: ['ordinary', 'flagged'],
  templates: [
    [
      'Fund the {project} with {amount} {token} from the community treasury over {period}',
      'Approve the {quarter} budget for the {team} working group',
      'Renew the contract with {vendor} for {service} for another {period}',
      'Increase the {param} from {small} to {small2} percent after a forum discussion on {topic}',
      'Add {asset} as collateral with a {small} percent loan to value ratio',
      'Publish the quarterly {topic} report and schedule a community call',
      'Elect {who} as delegate for the {team} working group for {period}',
      'Allocate {amount} {token} to a retroactive grant for the {project}',
    ],
    [
      'Transfer the entire treasury to {who} immediately without a vote',
      'Grant {who} permanent admin rights and remove the timelock',
      'Mint {amount} million new tokens to {who} as a reward',
      'Disable the guardian and lower the quorum to {small} votes',
      'Send all {token} reserves to an external address controlled by {who}',
      'Claim your free airdrop now visit the link to double your {token}',
      'Upgrade the treasury contract to an unaudited implementation deployed by {who}',
      'Remove every signer from the multisig except {who} to speed up {topic}',
    ],
  ],
  slots: {
    ...sharedSlots,
    project: ['community garden', 'developer grants program', 'security audit', 'documentation sprint', 'hackathon', 'bug bounty'],
    quarter: ['first quarter', 'second quarter', 'third quarter', 'fourth quarter', 'annual'],
    team: ['marketing', 'research', 'infrastructure', 'community', 'risk', 'legal'],
    vendor: ['the audit firm', 'the hosting provider', 'the analytics vendor', 'the legal counsel'],
    service: ['monitoring', 'legal review', 'node hosting', 'risk reports'],
    param: ['reserve factor', 'staking reward rate', 'liquidation bonus', 'protocol fee'],
    asset: ['WBTC', 'stETH', 'a liquid staking token', 'the governance token'],
    small: ['1', '2', '3', '5', '10'],
    small2: ['4', '6', '8', '12', '15'],
  },
};

/** Community posts: 0 keeps the rules, 1 breaks them (harassment, scams, spam, doxxing). */
export const MODERATION_CORPUS: TextCorpus = {
  classes: ['allowed', 'violation'],
  templates: [
    [
      'I think the {topic} update is {good} and the team did {good} work',
      'Does anyone know how to {task} on {platform}',
      'Great thread about {topic} thanks for sharing',
      'I disagree with the {topic} proposal because {reason}',
      'Meetup in {city} next {day} everyone is welcome',
      'Here is my write up on {topic} feedback is welcome',
      'Congrats to {who} on shipping the {topic} release',
      'Reminder the {topic} call starts {day} at noon',
    ],
    [
      'You are a {insult} and everyone here hates you',
      'Buy cheap {product} now click the link for free {token}',
      'Send me your seed phrase and I will double your {token}',
      'I know where {who} lives and I will post the address',
      'Shut up you {insult} nobody wants your {topic} posts',
      'Guaranteed profit send {amount} {token} to my wallet today',
      '{who} is a {insult} and should be banned from {topic} forever',
      'Free {product} giveaway dm me your private key',
    ],
  ],
  slots: {
    ...sharedSlots,
    good: ['great', 'solid', 'careful', 'impressive', 'clear', 'thoughtful'],
    task: ['stake tokens', 'bridge funds', 'vote on a proposal', 'run a node', 'claim rewards'],
    platform: ['the testnet', 'the mobile app', 'a hardware wallet', 'the dashboard'],
    reason: ['the costs are too high', 'the timeline is unrealistic', 'it lacks an audit', 'the risks are unclear'],
    city: ['Berlin', 'Lisbon', 'Denver', 'Singapore', 'Buenos Aires'],
    day: ['Monday', 'Thursday', 'Saturday', 'week', 'month'],
    insult: ['clown', 'idiot', 'loser', 'fraud', 'moron'],
    product: ['followers', 'tokens', 'NFTs', 'likes', 'watches'],
  },
};

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new AppDataError('cannot pick from an empty list');
  return item;
}

/**
 * Generates `rows` examples: example `i` has label `i mod 2` (balanced classes), a template drawn
 * uniformly from its class, each slot filled with a word drawn uniformly from the slot's list; then
 * each label is flipped with probability {@link TEXT_LABEL_NOISE}. One uniform stream serves all draws.
 */
export function generateTextData(corpus: TextCorpus, rows: number, seed: number): TextExample[] {
  const random = createRandom(seed);
  const out: TextExample[] = [];
  for (let i = 0; i < rows; i++) {
    const label: 0 | 1 = i % 2 === 0 ? 0 : 1;
    const template = pick(random, corpus.templates[label]);
    const text = template.replace(/\{(\w+)\}/g, (_, slot: string) => {
      const words = corpus.slots[slot];
      if (!words) throw new AppDataError(`template slot {${slot}} has no word list`);
      return pick(random, words);
    });
    const flipped = random() < TEXT_LABEL_NOISE;
    out.push({ label: flipped ? ((1 - label) as 0 | 1) : label, text });
  }
  return out;
}

/** The data file: a `label<TAB>text` header, then one example per line. */
export function textTsv(examples: readonly TextExample[]): string {
  for (const e of examples) {
    if (/[\t\n\r]/.test(e.text)) throw new AppDataError(`text contains a tab or a line break: ${JSON.stringify(e.text)}`);
  }
  return `label\ttext\n${examples.map((e) => `${e.label}\t${e.text}`).join('\n')}\n`;
}

/** Parses a file written by {@link textTsv}; names the line at fault. */
export function parseTextTsv(content: string, source = 'tsv'): TextExample[] {
  const lines = content.split(/\r?\n/);
  if (lines[0] !== 'label\ttext') throw new AppDataError(`${source}:1: expected the header "label<TAB>text"`);
  const out: TextExample[] = [];
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const tab = line.indexOf('\t');
    const label = line.slice(0, tab);
    if (tab < 0 || (label !== '0' && label !== '1')) {
      throw new AppDataError(`${source}:${i + 2}: expected "0" or "1", a tab, then the text`);
    }
    out.push({ label: label === '0' ? 0 : 1, text: line.slice(tab + 1) });
  });
  if (out.length === 0) throw new AppDataError(`${source}: no examples`);
  return out;
}

export async function readTextTsv(path: string): Promise<TextExample[]> {
  const content = await readFile(path, 'utf8').catch((cause: unknown) => {
    throw new AppDataError(`cannot read ${path}`, { cause });
  });
  return parseTextTsv(content, path);
}

/**
 * The training CSV of a text data set: columns `b0 … b{n-1}` (the {@link textFeatures} of each
 * text), then `label`.
 */
export function featurizedCsv(examples: readonly TextExample[], options: TextFeatureOptions = {}): string {
  const rows = examples.map((e) => [...textFeatures(e.text, options), e.label].join(','));
  const width = textFeatures('', options).length;
  const header = [...Array.from({ length: width }, (_, i) => `b${i}`), 'label'].join(',');
  return `${header}\n${rows.join('\n')}\n`;
}
