// What a query means, before Pagefind runs: the Arabic rules (handed over by the page from
// the Python that applies them, generator/search_words.py: rules()), the archive's word lists
// and entity names (small JSON buckets fetched on demand), and the analysis of a query: what
// to search for each word, what was corrected, and the entity it names. Loaded by search.js
// through the page's import map ("archive/query"); a browser test checks the rules agree with
// the Python over a word list.

const MAX_SPELLINGS = 3; // spellings searched per word
const RARE = 2; // a known word in at most this many articles…
const COMMON_RATIO = 10; // …next to one in this many times more gets a "did you mean"
const RARE_NAME = 5; // a word in at most this many articles may be a slip for a name…
const NAME_RATIO = 5; // …spelt with other long vowels in this many times more articles
const LATIN_ACCENTS = /[\u0300-\u036f]/g;
export const WORD = /[^\s.,،؛;:!?؟«»"'()[\]{}<>\/\\|]+/gu;
const QUOTES = /^\s*["«“](.+)["»”]\s*$/u;

// -- rules ------------------------------------------------------------------------------------

let RULES = null;

export function setRules(rules) {
  RULES = rules;
}

// A word's lookup key (generator/search_words.py: lookup_key).
export function fold(word) {
  let out = "";
  for (const char of word) out += RULES.fold[char] ?? char.toLowerCase();
  return out.normalize("NFKD").replace(LATIN_ACCENTS, "").normalize("NFC");
}

// generator/entities/matching.py: proclitic_stems.
export function procliticStems(word) {
  const stems = [];
  for (const conjunction of RULES.conjunctions) {
    for (const preposition of RULES.prepositions) {
      const prefix = conjunction + preposition;
      if (!prefix || !word.startsWith(prefix)) continue;
      const stem = word.slice(prefix.length);
      if (stem.length >= RULES.minStem) stems.push(stem);
      if (preposition === "ل" && stem.startsWith("ل") && stem.length > RULES.minStem) stems.push("ا" + stem);
    }
  }
  return [...new Set(stems)].filter((stem) => stem !== word);
}

// generator/entities/matching.py: bare_forms.
export function bareForms(word) {
  const forms = [word, ...procliticStems(word)];
  const article = RULES.article;
  const definite = forms.filter((f) => f.startsWith(article) && f.length - article.length >= RULES.minBare)
    .map((f) => f.slice(article.length));
  return definite.length ? [...new Set(definite)] : forms;
}

// generator/entities/matching.py: compound_variants (joined, then split).
export function compoundVariants(keys) {
  const joined = [];
  for (const key of keys) {
    if (joined.length && (RULES.joinFirst.includes(joined[joined.length - 1]) || RULES.joinSecond.includes(key))) {
      joined[joined.length - 1] += key;
    } else joined.push(key);
  }
  const split = [];
  for (const key of keys) split.push(...splitCompound(key));
  const out = [joined, split].map((k) => k.join(" ")).filter((k) => k !== keys.join(" "));
  return [...new Set(out)];
}

function splitCompound(key) {
  const m = key.match(new RegExp(RULES.split, "u"));
  return m ? m.slice(1).filter(Boolean) : [key];
}

function withoutVowels(key) {
  let out = "";
  for (const char of key) if (!RULES.vowels.includes(char)) out += char;
  return out;
}

// A key with the letters a correction may also swap folded (search_words.SOUND_VARIANTS).
export function soundKey(key) {
  let out = "";
  for (const char of key) out += RULES.sound[char] ?? char;
  return out;
}

// Whether Pagefind finds a word as typed wherever it finds one of its terms, with the same
// word positions: the word is a term with the article ال, which Pagefind's Arabic stemmer
// takes off («العهد» and «عهد»: measured on the whole corpus). Then it need not be searched.
export function foundWithTerms(surface, terms) {
  return surface.startsWith(RULES.article) && terms.includes(surface.slice(RULES.article.length));
}

// The lookup keys a word of an article's text answers to: its own and its bare forms'.
export function tokenKeys(token) {
  return [token, ...bareForms(token)].map(fold);
}

// A shard mask of the word lists and entity cards (search_words.shard_mask): bit i for the
// i-th shard from the oldest.
export function shardMask(hex) {
  return BigInt(`0x${hex || 0}`);
}

// The shards that may hold every word of an analysed query (a mask), or null when some word
// is not in the lists (any shard may hold it).
export function queryShards(words) {
  let mask = null;
  for (const word of words) {
    if (word.shards === null || word.shards === undefined) return null;
    mask = mask === null ? word.shards : mask & word.shards;
  }
  return mask;
}

// generator/search_words.py: bucket_of.
export function bucketOf(key) {
  const article = RULES.article;
  if (key.startsWith(article) && [...key].length - [...article].length >= RULES.bucketLetters) key = key.slice(article.length);
  return [...key].slice(0, RULES.bucketLetters).map((c) => c.codePointAt(0).toString(16)).join("-");
}

// Levenshtein distance, or max + 1 once it exceeds max.
export function editDistance(a, b, max) {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, row[j]);
    }
    if (best > max) return max + 1;
    previous = row;
  }
  return previous[b.length];
}

// A number with its noun in the right Arabic form: «نتيجة واحدة»، «نتيجتان»، «٣ نتائج»،
// «١١ نتيجة» (generator/dates.py: Formatter.count, whose forms the page hands over; CLDR's
// plural rules, which Babel and Intl.PluralRules both implement).
const PLURAL = new Intl.PluralRules("ar");
export function countOf(n, noun, digits = String) {
  const forms = RULES.nouns[noun];
  const form = PLURAL.select(n);
  if (form === "one" || form === "two") return forms[form];
  return `${digits(n)} ${forms[form === "zero" ? "few" : form]}`;
}

// -- the word lists ----------------------------------------------------------------------------

// A bucket file: JSON that search_words.pack_bucket compressed with gzip, or the JSON itself
// when the host sent the file with "Content-Encoding: gzip" and the browser unpacked it.
async function readBucket(response) {
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return JSON.parse(new TextDecoder().decode(bytes));
  const json = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(json).json();
}

export class Lists {
  constructor(base) {
    this.base = base;
    this.files = new Map();
  }

  bucket(folder, key) {
    const url = `${this.base}${folder}${bucketOf(key)}${RULES.bucketSuffix}`;
    if (!this.files.has(url)) {
      this.files.set(url, fetch(url).then((r) => (r.ok ? readBucket(r) : {})).catch(() => ({})));
    }
    return this.files.get(url);
  }

  // A known word: [articles, shard mask, spelling, articles, ...] in its bucket.
  async word(key) {
    const entry = (await this.bucket(`pagefind/${RULES.words}`, key))[key];
    if (!entry) return null;
    const spellings = [];
    for (let i = 2; i < entry.length; i += 2) spellings.push(entry[i]);
    return { key, articles: entry[0], shards: shardMask(entry[1]), spellings: spellings.length ? spellings : [key] };
  }

  async names(key) {
    return (await this.bucket(RULES.names, key))[key] || [];
  }

  // The entity name that ``word`` is another spelling of, differing only by long vowels
  // (search_words.VOWELS), if any: the name in most articles, when ``word`` is itself the name
  // of another entity (a spelling some sources use, discovered apart: «بوتن», «نتانياهو»), or
  // when ``word`` is rare and the name far more common (a slip: «ماكرن»). A common word that
  // is no name («مصير») is never taken for one («مصر»).
  async vowelVariant(word) {
    const skeleton = withoutVowels(word.key);
    const bucket = await this.bucket(`pagefind/${RULES.words}`, word.key);
    const candidates = Object.entries(bucket)
      .filter(([other]) => other !== word.key && withoutVowels(other) === skeleton)
      .sort((a, b) => b[1][0] - a[1][0]);
    if (!candidates.length) return null;
    const own = await this.names(word.key);
    const slip = word.articles <= RARE_NAME;
    for (const [other, entry] of candidates) {
      if (!own.length && !(slip && entry[0] >= NAME_RATIO * word.articles)) continue;
      const names = await this.names(other);
      // Not when both are names of the same entity («ترمب», «ترامب»): the card says so.
      if (names.length && !names.some((a) => own.some((b) => a.id === b.id))) return this.word(other);
    }
    return null;
  }

  // The known word nearest to an unknown key: one that sounds the same (ق for G), else the
  // smallest edit distance (in the key's bucket); then the most articles.
  async nearest(key) {
    if ([...key].length < 3) return null;
    const max = key.length <= 5 ? 1 : 2;
    const sound = soundKey(key);
    const buckets = await Promise.all([...new Set([key, sound])].map((k) => this.bucket(`pagefind/${RULES.words}`, k)));
    let best = null;
    for (const [other, entry] of buckets.flatMap(Object.entries)) {
      if (other === key) continue;
      const distance = soundKey(other) === sound ? 0 : editDistance(key, other, max);
      if (distance > max) continue;
      if (!best || distance < best.distance || (distance === best.distance && entry[0] > best.articles)) {
        best = { key: other, distance, articles: entry[0] };
      }
    }
    return best && this.word(best.key);
  }
}

// A known word's spelling as the reader would write it: with the article if they wrote it.
function dressed(typed, spelling) {
  const article = RULES.article;
  return typed.startsWith(article) && !spelling.startsWith(article) ? article + spelling : spelling;
}

// The shards holding any of the known words.
function anyOf(known) {
  return known.reduce((mask, k) => mask | k.shards, 0n);
}

function isArabic(word) {
  return /[\u0600-\u06ff]/.test(word);
}

// What to search for each word of a query, what was corrected, and the entity it names.
export async function analyse(query, lists, { asTyped = false } = {}) {
  const quoted = query.match(QUOTES);
  const text = (quoted ? quoted[1] : query).trim();
  const typed = [...text.matchAll(WORD)].map((m) => m[0]);
  const words = [];
  let corrected = false;
  for (const word of typed) {
    const plain = word.replace(/[\u064B-\u065F\u0670\u0640]/g, "");
    if (!isArabic(plain)) {
      words.push({ typed: word, terms: [word], shown: word, shards: null });
      continue;
    }
    let forms = bareForms(plain);
    const whole = forms[0] === plain ? await lists.word(fold(plain)) : null;
    // A known word is searched as it is, and without its proclitics where that leaves a
    // word of three letters or more that more articles have («ببغداد» → «بغداد», but not
    // «لافروف» → «افروف» or «كأس» → «أس»).
    if (whole) forms = forms.filter((f, i) => !i || [...f].length >= 3);
    let known = (await Promise.all(forms.map((f, i) => (i || !whole ? lists.word(fold(f)) : whole)))).filter(Boolean);
    if (whole) known = known.filter((k, i) => !i || k.articles > whole.articles);
    if (known.length || asTyped) {
      // The spellings of its bare forms, which every article holding the word lists (in the
      // hidden block when not in its text): «الانتخابات» → «انتخابات».
      const spellings = known.flatMap((k) => k.spellings.slice(0, MAX_SPELLINGS));
      const entry = { typed: word, terms: spellings.length ? [...new Set(spellings)] : [plain], shown: word, surface: plain,
        shards: known.length ? anyOf(known) : null };
      // A name spelt with a long vowel more or less than most articles spell it («بوتن»,
      // «نتانياهو»): searched both ways, shown as corrected.
      const name = !asTyped && known.length ? await lists.vowelVariant(known[0]) : null;
      if (name) {
        words.push({ ...entry, terms: [...new Set([...name.spellings.slice(0, MAX_SPELLINGS), ...entry.terms])], shown: dressed(plain, name.spellings[0]),
          shards: anyOf([name, ...known]) });
        corrected = true;
        continue;
      }
      // A rare word next to a far more common one may be a slip: offer it, search as typed.
      const rare = !asTyped && known.length && Math.max(...known.map((k) => k.articles)) <= RARE;
      const near = rare ? await lists.nearest(known[0].key) : null;
      if (near && near.articles >= COMMON_RATIO * known[0].articles) entry.offer = dressed(plain, near.spellings[0]);
      words.push(entry);
      continue;
    }
    // Unknown: a compound written joined or split, else the nearest known word.
    const parts = splitCompound(fold(plain));
    if (parts.length > 1) {
      const found = await Promise.all(parts.map((p) => lists.word(p)));
      if (found.every(Boolean)) {
        for (const f of found) words.push({ typed: f.spellings[0], terms: f.spellings.slice(0, MAX_SPELLINGS), shown: f.spellings[0], shards: f.shards });
        corrected = true;
        continue;
      }
    }
    let near = null;
    for (const form of forms) near = near || (await lists.nearest(fold(form)));
    if (near) {
      words.push({ typed: word, terms: near.spellings.slice(0, MAX_SPELLINGS), shown: dressed(plain, near.spellings[0]), shards: near.shards });
      corrected = true;
      continue;
    }
    words.push({ typed: word, terms: [plain], shown: word, shards: null });
  }
  const suggestion = corrected ? words.map((w) => w.shown).join(" ") : null;
  const offer = words.some((w) => w.offer) ? words.map((w) => w.offer || w.shown).join(" ") : null;
  const entity = await findEntity(words.map((w) => w.shown), lists);
  return { query: text, quoted: Boolean(quoted), words, corrected, suggestion, offer, entity };
}

async function findEntity(words, lists) {
  if (!words.length) return null;
  const keys = words.map(fold);
  const candidates = [keys.join(" "), ...compoundVariants(keys)];
  for (const stem of bareForms(keys[0]).concat(procliticStems(keys[0]))) {
    candidates.push([stem, ...keys.slice(1)].join(" "));
  }
  for (const key of new Set(candidates)) {
    const cards = await lists.names(key);
    if (cards.length) return cards[0];
  }
  return null;
}
