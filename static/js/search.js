// The search page: Arabic query understanding on top of Pagefind's JS API.
//
// Pagefind indexes the article pages (generator/search_index.py); each carries a hidden block
// (after U+2063) with its words' bare forms (without proclitics and ال) and its entities'
// names (generator/search.py). Before searching, each word of the query is looked up in the
// archive's word lists (generator/search_words.py, small JSON buckets fetched on demand):
// - a known word is searched in the spellings the archive uses («القاهره» → «قاهرة»),
// - an unknown word is corrected to the nearest known one (letter variants, joined or split
//   compounds, edit distance), which is searched instead, with a link to search as typed,
// - a query that names an entity (any name, alias, English name) shows the entity's card,
//   and the articles where it is linked come first (the card's switch keeps only those).
// Every word is searched on its own; the page keeps the articles that have all the words,
// and a quoted query only those with the words together and in order (Pagefind's word
// positions); for an unquoted query such articles come first.
//
// The folding and clitic rules are not written here: the page hands over the Python rules
// (#search-rules, from search_words.rules()), and a browser test checks the two agree.
//
// The index is split into shards that do not overlap in time, listed newest first in the
// page's data-shards: the newest is loaded and the others merged into it. Each shard carries
// a synthetic filter with its name, so results by date are each shard's date-sorted results.

const SEPARATOR = "\u2063";
const SHARD_FILTER = "__shard";
const PAGE_SIZE = 10;
const EXCERPT_WORDS = 30;
const MAX_SPELLINGS = 3; // spellings searched per word
const RARE = 2; // a known word in at most this many articles…
const COMMON_RATIO = 10; // …next to one in this many times more gets a "did you mean"
const RARE_NAME = 5; // a word in at most this many articles may be a slip for a name…
const NAME_RATIO = 5; // …spelt with other long vowels in this many times more articles
const LATIN_ACCENTS = /[\u0300-\u036f]/g;
const WORD = /[^\s.,،؛;:!?؟«»"'()[\]{}<>\/\\|]+/gu;
const QUOTES = /^\s*["«“](.+)["»”]\s*$/u;

const TEXT = {
  searching: (q) => `يبحث عن «${q}»…`,
  error: "فشل البحث",
  none: "لا نتائج",
  browse: "بلا كلمات بحث، تُعرض المقالات في صفحاتها:",
  typeAWord: "اكتب كلمة للبحث ضمن هذا الاختيار.",
  corrected: "عُرضت نتائج «{to}». ",
  insteadOf: "ابحث عن «{from}» كما كُتبت",
  didYouMean: "هل تقصد ",
  linkedOnly: (name) => `المقالات التي يُذكر فيها ${name} فقط`,
  found: "اكتُشف آليًا، لم يراجعه المحررون بعد",
};

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

export function bucketOf(key) {
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

class Lists {
  constructor(base) {
    this.base = base;
    this.files = new Map();
  }

  bucket(folder, key) {
    const url = `${this.base}${folder}${bucketOf(key)}.json`;
    if (!this.files.has(url)) {
      this.files.set(url, fetch(url).then((r) => (r.ok ? r.json() : {})).catch(() => ({})));
    }
    return this.files.get(url);
  }

  async word(key) {
    const entry = (await this.bucket(`pagefind/${RULES.words}`, key))[key];
    if (!entry) return null;
    const spellings = [];
    for (let i = 1; i < entry.length; i += 2) spellings.push(entry[i]);
    return { key, articles: entry[0], spellings: spellings.length ? spellings : [key] };
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
      words.push({ typed: word, terms: [word], shown: word });
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
      const entry = { typed: word, terms: spellings.length ? [...new Set(spellings)] : [plain], shown: word, surface: plain };
      // A name spelt with a long vowel more or less than most articles spell it («بوتن»,
      // «نتانياهو»): searched both ways, shown as corrected.
      const name = !asTyped && known.length ? await lists.vowelVariant(known[0]) : null;
      if (name) {
        words.push({ ...entry, terms: [...new Set([...name.spellings.slice(0, MAX_SPELLINGS), ...entry.terms])], shown: dressed(plain, name.spellings[0]) });
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
        for (const f of found) words.push({ typed: f.spellings[0], terms: f.spellings.slice(0, MAX_SPELLINGS), shown: f.spellings[0] });
        corrected = true;
        continue;
      }
    }
    let near = null;
    for (const form of forms) near = near || (await lists.nearest(fold(form)));
    if (near) {
      words.push({ typed: word, terms: near.spellings.slice(0, MAX_SPELLINGS), shown: dressed(plain, near.spellings[0]) });
      corrected = true;
      continue;
    }
    words.push({ typed: word, terms: [plain], shown: word });
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

// -- searching ----------------------------------------------------------------------------------

class Search {
  constructor(pagefind, shards) {
    this.pagefind = pagefind;
    this.shards = shards;
    this.data = new Map();
  }

  async load(result) {
    if (!this.data.has(result.id)) this.data.set(result.id, result.data());
    return this.data.get(result.id);
  }

  // One word: the union of its terms' results (id → {result, score, positions}). In a query
  // of several words, also the word as typed: its positions in the visible text tell whether
  // the words stand together (the bare forms are listed apart, in the hidden block).
  async word(word, options, together) {
    const found = new Map();
    const terms = together && word.surface ? [...new Set([...word.terms, word.surface])] : word.terms;
    const lists = await Promise.all(terms.map((term) => this.pagefind.search(term, options)));
    lists.forEach((list, order) => {
      for (const result of (list && list.results) || []) {
        const seen = found.get(result.id);
        if (!seen) found.set(result.id, { result, score: result.score, order, positions: new Set(result.words) });
        else {
          seen.score = Math.max(seen.score, result.score);
          for (const p of result.words) seen.positions.add(p);
        }
      }
    });
    return found;
  }

  // Every result with all the words: [{result, score, phrase}], in the first word's order;
  // with ``phrase``, only those with the words together and in order.
  async match(analysis, options, phraseOnly = analysis.quoted) {
    const together = analysis.words.length > 1;
    const perWord = await Promise.all(analysis.words.map((w) => this.word(w, options, together)));
    if (!perWord.length) return [];
    const out = [];
    for (const [id, first] of perWord[0]) {
      const all = perWord.map((m) => m.get(id));
      if (all.some((x) => !x)) continue;
      const phrase = all.length < 2 || [...all[0].positions].some((p) => all.every((x, k) => x.positions.has(p + k)));
      if (phraseOnly && !phrase) continue;
      out.push({ result: first.result, score: all.reduce((s, x) => s + x.score, 0), phrase });
    }
    return out;
  }

  // All matching results: {total, take(n)}, by relevance or by date (sort = "desc" | "asc").
  async run(analysis, filters = {}, sort = "", linkedOnly = false) {
    const entity = analysis.entity;
    const linkedFilters = entity ? { ...filters, [entity.filter[0]]: entity.filter[1] } : null;
    if (!sort) {
      const found = await this.found(analysis, filters, linkedFilters, linkedOnly);
      const rank = (r) => [Number(r.linked), Number(r.phrase), r.score];
      found.sort((a, b) => {
        const x = rank(a), y = rank(b);
        return y[0] - x[0] || y[1] - x[1] || y[2] - x[2];
      });
      return this.verified(found.map((r) => r.result), analysis);
    }
    const shards = sort === "asc" ? [...this.shards].reverse() : this.shards;
    const parts = [];
    for (const shard of shards) {
      const only = (f) => f && { ...f, [SHARD_FILTER]: shard };
      const found = await this.found(analysis, only(filters), only(linkedFilters), linkedOnly, sort);
      const options = { filters: only(linkedOnly && linkedFilters ? linkedFilters : filters), sort: { date: sort } };
      parts.push(this.byDate(found.map((r) => r.result), analysis, options, sort));
    }
    return concat(await Promise.all(parts));
  }

  // The results of a query: those where the entity it names is linked (all of them), then, but
  // for ``linkedOnly``, the others that have its words together. A query naming no entity: all
  // results with its words (together only when quoted).
  async found(analysis, filters, linkedFilters, linkedOnly, sort = "") {
    const options = (f) => (sort ? { filters: f, sort: { date: sort } } : { filters: f });
    if (!linkedFilters) return (await this.match(analysis, options(filters))).map((r) => ({ ...r, linked: false }));
    const linked = (await this.match(analysis, options(linkedFilters), false)).map((r) => ({ ...r, linked: true }));
    if (linkedOnly) return linked;
    const ids = new Set(linked.map((r) => r.result.id));
    const others = (await this.match(analysis, options(filters), true)).filter((r) => !ids.has(r.result.id));
    return [...linked, ...others.map((r) => ({ ...r, linked: false }))];
  }

  // Results by relevance, those whose text has every word (not only a word Pagefind's stemmer
  // gives the same stem: «الكويتية» and «الكويت») first. Each page checks the text of at most
  // twice as many results as it shows, the text it loads to show them anyway.
  verified(results, analysis) {
    const wanted = analysis.words.map((w) => new Set([...w.terms, w.surface].filter(Boolean).map(fold)));
    const has = async (result) => {
      const visible = (await this.load(result)).content || "";
      const keys = new Set([...visible.matchAll(WORD)].map((m) => fold(m[0])));
      return wanted.every((word) => [...word].some((key) => keys.has(key)));
    };
    const out = [];
    const pending = [];
    let next = 0;
    const take = async (count) => {
      const limit = 2 * count;
      while (out.length < Math.min(count, results.length)) {
        if (next < results.length && next < limit) {
          const result = results[next++];
          (await has(result) ? out : pending).push(result);
        } else if (pending.length) out.push(pending.shift());
        else out.push(results[next++]);
      }
      return out.slice(0, count);
    };
    return { total: results.length, take };
  }

  // The results of one shard in date order: the first word's terms each come sorted by date,
  // so a k-way merge of those lists, kept to the matching results, loading list heads only.
  async byDate(results, analysis, options, sort) {
    if (!analysis.words.length) return { total: 0, take: async () => [] };
    const wanted = new Set(results.map((r) => r.id));
    const lists = await Promise.all(analysis.words[0].terms.map((t) => this.pagefind.search(t, options)));
    const seen = new Set();
    const unique = lists.map((l) => ((l && l.results) || []).filter((r) => wanted.has(r.id) && !seen.has(r.id) && seen.add(r.id)));
    const positions = unique.map(() => 0);
    const merged = [];
    const total = seen.size;
    const take = async (count) => {
      while (merged.length < Math.min(count, total)) {
        let pick = -1;
        let pickKey = null;
        for (let i = 0; i < unique.length; i++) {
          if (positions[i] >= unique[i].length) continue;
          const key = (await this.load(unique[i][positions[i]])).meta.sort || "";
          if (pick < 0 || (sort === "desc" ? key > pickKey : key < pickKey)) { pick = i; pickKey = key; }
        }
        merged.push(unique[pick][positions[pick]++]);
      }
      return merged.slice(0, count);
    };
    return { total, take };
  }
}

// Lists that follow each other in time, as one.
function concat(parts) {
  const total = parts.reduce((sum, part) => sum + part.total, 0);
  const take = async (count) => {
    const out = [];
    for (const part of parts) {
      if (out.length >= count) break;
      out.push(...(await part.take(count - out.length)));
    }
    return out;
  };
  return { total, take };
}

function excerpt(content, terms) {
  const visible = content.split(SEPARATOR)[0];
  const wanted = new Set(terms.map(fold));
  const words = [...visible.matchAll(WORD)];
  const hits = words.map((m) => bareForms(m[0]).concat([m[0]]).some((f) => wanted.has(fold(f))));
  // Start a few words before the match that begins the window with the most matches.
  const positions = hits.flatMap((hit, i) => (hit ? [i] : []));
  let first = -1;
  let bestCount = 0;
  for (const [k, position] of positions.entries()) {
    let count = 0;
    while (k + count < positions.length && positions[k + count] < position + EXCERPT_WORDS - 5) count++;
    if (count > bestCount) { bestCount = count; first = position; }
  }
  const start = first < 0 ? 0 : Math.max(0, first - 5);
  const end = Math.min(words.length, start + EXCERPT_WORDS);
  const parts = [];
  for (let i = start; i < end; i++) {
    const from = words[i].index;
    const to = i + 1 < words.length ? words[i + 1].index : visible.length;
    parts.push({ text: visible.slice(from, i + 1 < end ? to : from + words[i][0].length), mark: hits[i], word: words[i][0] });
  }
  return { parts, before: start > 0, after: end < words.length };
}

function arabicDigits(n) {
  return String(n).replace(/\d/g, (d) => "٠١٢٣٤٥٦٧٨٩"[d]);
}

// -- the page -----------------------------------------------------------------------------------

async function main() {
  const root = document.getElementById("search");
  if (!root) return;
  setRules(JSON.parse(document.getElementById("search-rules").textContent));
  const base = root.dataset.base;
  const digits = root.dataset.numerals !== "latn" ? arabicDigits : String;
  const form = root.querySelector(".search-form");
  const input = form.querySelector("[name=q]");
  const sortSelect = form.querySelector("[name=sort]");
  const filterSelects = [...form.querySelectorAll("select[data-filter]")];
  const status = root.querySelector(".search-status");
  const note = root.querySelector(".search-note");
  const answer = root.querySelector(".search-answer");
  const list = root.querySelector(".search-results");
  const more = root.querySelector(".search-more");
  const lists = new Lists(base);
  let engine = null;
  let generation = 0;
  let linkedOnly = false;

  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  sortSelect.value = params.get("sort") || "";
  let asTyped = params.get("typed") === "1";
  linkedOnly = params.get("linked") === "1";
  for (const select of filterSelects) select.value = params.get(select.dataset.filter) || "";
  // The filters stay folded on a phone, so that the box and the first results fit its screen.
  const filterBox = form.querySelector(".search-filters-box");
  if (filterBox) filterBox.open = matchMedia("(min-width: 40rem)").matches || filterSelects.some((s) => s.value);

  const shards = JSON.parse(root.dataset.shards || "[]");
  const ready = async () => {
    if (!engine) {
      const bundle = (shard) => `${base}pagefind/${shard}/`;
      const pagefind = await import(`${bundle(shards[0])}pagefind.js`);
      await pagefind.options({ baseUrl: base, mergeFilter: { [SHARD_FILTER]: shards[0] } });
      await pagefind.init();
      await Promise.all(shards.slice(1).map((shard) =>
        pagefind.mergeIndex(bundle(shard), { baseUrl: base, mergeFilter: { [SHARD_FILTER]: shard } })));
      engine = new Search(pagefind, shards);
    }
    return engine;
  };

  const showBrowse = (selected) => {
    list.replaceChildren();
    more.hidden = true;
    const links = selected.map((s) => s.option).filter((o) => o.dataset.url);
    status.textContent = links.length ? TEXT.browse : TEXT.typeAWord;
    for (const option of links) {
      const item = document.createElement("li");
      item.className = "card browse";
      const a = document.createElement("a");
      a.href = option.dataset.url;
      a.textContent = option.value;
      item.append(a);
      list.append(item);
    }
  };

  const searchUrl = (query, extra = {}) => {
    const url = new URL(location.href);
    url.search = "";
    url.searchParams.set("q", query);
    for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
    return url.pathname + url.search;
  };

  // «Showing results for X. Search for Y as typed», or «Did you mean X?».
  const showNote = (analysis, query) => {
    note.replaceChildren();
    note.hidden = !analysis.corrected && !analysis.offer;
    const link = document.createElement("a");
    if (analysis.corrected) {
      note.append(TEXT.corrected.replace("{to}", analysis.suggestion));
      link.href = searchUrl(query, { typed: "1" });
      link.textContent = TEXT.insteadOf.replace("{from}", analysis.query);
      link.addEventListener("click", (event) => { event.preventDefault(); asTyped = true; update(); });
      note.append(link);
    } else if (analysis.offer) {
      link.href = searchUrl(analysis.offer);
      link.textContent = `«${analysis.offer}»`;
      link.addEventListener("click", (event) => { event.preventDefault(); input.value = analysis.offer; update(); });
      note.append(TEXT.didYouMean, link, "؟");
    }
  };

  const showAnswer = (entity) => {
    answer.replaceChildren();
    answer.hidden = !entity;
    if (!entity) return;
    const title = document.createElement("h2");
    const link = document.createElement("a");
    link.href = base + entity.url;
    link.textContent = entity.name;
    title.append(link);
    const meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = [entity.type, countOf(entity.articles, "article", digits),
      countOf(entity.mentions, "mention", digits)].join(" · ");
    answer.append(title, meta);
    if (entity.about) {
      const about = document.createElement("p");
      about.textContent = entity.about;
      answer.append(about);
    }
    if (entity.found) {
      const found = document.createElement("p");
      found.className = "note";
      found.textContent = TEXT.found;
      answer.append(found);
    }
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = "linked";
    box.checked = linkedOnly;
    box.addEventListener("change", () => { linkedOnly = box.checked; update(); });
    label.append(box, " ", TEXT.linkedOnly(entity.name));
    answer.append(label);
  };

  const update = async () => {
    const query = input.value.trim();
    const selected = filterSelects.filter((s) => s.value).map((s) => ({ name: s.dataset.filter, option: s.selectedOptions[0] }));
    const url = new URL(location.href);
    url.search = "";
    if (query) url.searchParams.set("q", query);
    if (sortSelect.value) url.searchParams.set("sort", sortSelect.value);
    if (asTyped && query) url.searchParams.set("typed", "1");
    if (linkedOnly && query) url.searchParams.set("linked", "1");
    for (const s of selected) url.searchParams.set(s.name, s.option.value);
    history.replaceState(null, "", url);
    const mine = ++generation;
    if (!query) {
      // A filter without words: browse the static page instead of downloading the index.
      showAnswer(null);
      note.hidden = true;
      if (selected.length) showBrowse(selected);
      else { list.replaceChildren(); status.textContent = ""; more.hidden = true; }
      return;
    }
    status.textContent = TEXT.searching(query);
    const filters = Object.fromEntries(selected.map((s) => [s.name, s.option.value]));
    let found;
    let analysis;
    try {
      const [search, analysed] = await Promise.all([ready(), analyse(query, lists, { asTyped })]);
      analysis = analysed;
      if (mine !== generation) return;
      found = await search.run(analysis, filters, sortSelect.value, linkedOnly);
    } catch (error) {
      status.textContent = TEXT.error;
      throw error;
    }
    if (mine !== generation) return;
    showNote(analysis, query);
    showAnswer(analysis.entity);
    const terms = analysis.words.flatMap((w) => [w.typed, ...w.terms]);
    let shown = 0;
    list.replaceChildren();
    const showMore = async () => {
      const page = (await found.take(shown + PAGE_SIZE)).slice(shown);
      const items = await Promise.all(page.map(async (result) => [result, await engine.load(result)]));
      if (mine !== generation) return;
      for (const [, data] of items) list.append(resultItem(data, terms));
      shown += page.length;
      more.hidden = shown >= found.total;
    };
    more.onclick = showMore;
    await showMore();
    // Announced once the first results are on the page.
    const count = found.total ? countOf(found.total, "result", digits) : TEXT.none;
    if (mine === generation) status.textContent = `${count} لـ«${analysis.suggestion || analysis.query}»`;
  };

  // Every result the page finds for a query, in its order (for tests and the benchmark).
  const allResults = async (query, options = {}) => {
    const analysis = await analyse(query, lists, options);
    const search = await ready();
    const found = await search.run(analysis, options.filters || {}, options.sort || "", Boolean(options.linkedOnly));
    const results = await found.take(found.total);
    return Promise.all(results.map(async (r) => (await search.load(r)).url));
  };

  let timer = null;
  const retype = () => { asTyped = false; linkedOnly = false; };
  form.addEventListener("submit", (event) => { event.preventDefault(); clearTimeout(timer); retype(); update(); });
  input.addEventListener("input", () => { clearTimeout(timer); retype(); timer = setTimeout(update, 300); });
  for (const select of [sortSelect, ...filterSelects]) select.addEventListener("change", update);
  window.archiveSearch = { analyse: (q, o) => analyse(q, lists, o), allResults, ready, update, rules: { fold, bareForms, procliticStems, compoundVariants, bucketOf, editDistance, countOf } };
  if (input.value || filterSelects.some((s) => s.value)) await update();
}

function resultItem(data, terms) {
  const item = document.createElement("li");
  item.className = "card search-result";
  const title = document.createElement("h2");
  title.className = "card-title";
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  title.append(link);
  const meta = document.createElement("p");
  meta.className = "meta";
  const time = document.createElement("time");
  time.dateTime = data.meta.sort || "";
  time.textContent = data.meta.date || "";
  meta.append(time);
  const text = document.createElement("p");
  text.className = "excerpt";
  const { parts, before, after } = excerpt(data.content || "", terms);
  if (before) text.append("… ");
  for (const part of parts) {
    if (part.mark) {
      const mark = document.createElement("mark");
      mark.textContent = part.word;
      text.append(mark, part.text.slice(part.word.length));
    } else text.append(part.text);
  }
  if (after) text.append(" …");
  item.append(title, meta, text);
  return item;
}

main();
