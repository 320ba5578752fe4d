// Searching with Pagefind: each word of an analysed query (query.js) searched on its own, its
// spellings' results merged; the articles with all the words kept, together and in order when
// the query asks for it (Pagefind's word positions); the articles where the named entity is
// linked first; each page of results checked against the articles' text. Loaded through the
// page's import map ("archive/results").
//
// The index is split into shards that do not overlap in time (generator/search_index.py).
// A shard is loaded (merged into the Pagefind instance) only when a query needs it: the word
// lists and entity cards say which shards hold a word or an entity's articles, and results
// newest first (the default) come from the newest such shards, the next ones loaded as the
// reader asks for more. Results by relevance need every shard that holds the words.

import { WORD, fold, foundWithTerms, queryShards, shardMask, tokenKeys } from "archive/query";

const SHARD_FILTER = "__shard"; // a synthetic Pagefind filter naming each shard

// -- the shards ---------------------------------------------------------------------------------

export class Shards {
  constructor(base, names) {
    this.base = base;
    this.names = names; // newest first
    this.loaded = new Set();
    this.pagefind = null;
    this.queue = Promise.resolve();
  }

  // The shards of a mask (bit i: the i-th shard from the oldest), newest first; all for null.
  select(mask) {
    const last = this.names.length - 1;
    return mask === null ? [...this.names] : this.names.filter((_, i) => (mask >> BigInt(last - i)) & 1n);
  }

  // Load shards not loaded yet: the first one becomes Pagefind's own index, the others are
  // merged into it. Loads run one after the other, never two at once.
  load(names) {
    const run = this.queue.then(async () => {
      const todo = names.filter((name) => !this.loaded.has(name));
      if (!todo.length) return;
      const options = (name) => ({ baseUrl: this.base, mergeFilter: { [SHARD_FILTER]: name } });
      if (!this.pagefind) {
        const pagefind = await import(`${this.bundle(todo[0])}pagefind.js`);
        await pagefind.options(options(todo[0]));
        await pagefind.init();
        this.pagefind = pagefind;
        this.loaded.add(todo.shift());
      }
      await Promise.all(todo.map((name) => this.pagefind.mergeIndex(this.bundle(name), options(name))));
      for (const name of todo) this.loaded.add(name);
    });
    this.queue = run.catch(() => {});
    return run;
  }

  bundle(name) {
    return `${this.base}pagefind/${name}/`;
  }
}

// -- searching ----------------------------------------------------------------------------------

export class Search {
  constructor(shards) {
    this.shards = shards;
    this.data = new Map();
  }

  get pagefind() {
    return this.shards.pagefind;
  }

  async load(result) {
    if (!this.data.has(result.id)) this.data.set(result.id, result.data());
    return this.data.get(result.id);
  }

  // One word: the union of its terms' results (id → {result, score, positions}). In a query
  // of several words, also the word as typed: its positions in the visible text tell whether
  // the words stand together (the bare forms are listed apart, in the hidden block), unless
  // its terms' positions already do.
  async word(word, options, together) {
    const found = new Map();
    const typed = together && word.surface && !foundWithTerms(word.surface, word.terms);
    const terms = typed ? [...new Set([...word.terms, word.surface])] : word.terms;
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
  // with ``phrase``, only those with the words together and in order. Without ``positions``,
  // the words as typed are not searched (``phrase`` is then only a guess).
  async match(analysis, options, phraseOnly = analysis.quoted, positions = true) {
    const together = positions && analysis.words.length > 1;
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

  // All matching results: {total, complete, take(n)}, newest first (sort "" or "desc"),
  // oldest first ("asc") or by relevance ("relevance"). ``total`` counts the results of the
  // shards searched so far, all of them once ``complete``.
  async run(analysis, filters = {}, sort = "", linkedOnly = false) {
    const entity = analysis.entity;
    const linkedFilters = entity ? { ...filters, [entity.filter[0]]: entity.filter[1] } : null;
    // Where the words are (word lists), and where the entity's articles are (its card): its
    // articles answer to every name of it, not only to the words typed.
    const wordShards = linkedOnly && entity ? [] : this.shards.select(queryShards(analysis.words));
    const linkedShards = entity ? this.shards.select(shardMask(entity.shards)) : [];
    if (sort === "relevance") {
      await this.shards.load([...new Set([...linkedShards, ...wordShards])]);
      const found = await this.found(analysis, filters, linkedFilters, linkedOnly);
      const rank = (r) => [Number(r.linked), Number(r.phrase), r.score];
      found.sort((a, b) => {
        const x = rank(a), y = rank(b);
        return y[0] - x[0] || y[1] - x[1] || y[2] - x[2];
      });
      return { ...this.verified(found.map((r) => r.result), analysis), complete: true };
    }
    return this.dated(analysis, filters, linkedFilters, linkedOnly, sort || "desc",
      linkedShards, wordShards);
  }

  // Results by date, in tiers: the articles where the entity is linked, then those with the
  // words together (or a query of one word), then the others; each tier newest (or oldest)
  // first, shard after shard, those whose text holds every word first. A shard is loaded and
  // searched when the results asked for reach it, its linked articles apart from the others
  // (which need the words' positions).
  dated(analysis, filters, linkedFilters, linkedOnly, sort, linkedShards, wordShards) {
    const order = (names) => (sort === "asc" ? [...names].reverse() : names);
    const sequence = [];
    if (linkedFilters) sequence.push([0, order(linkedShards)]);
    if (!linkedOnly) sequence.push([1, order(wordShards)], [2, order(wordShards)]);
    const groups = new Set(sequence.flatMap(([tier, names]) => names.map((name) => `${name}/${Math.min(tier, 1)}`)));
    const parts = new Map();
    const state = { total: 0 };
    // One shard's linked articles (group 0: tier 0) or the others (group 1: tiers 1 and 2):
    // {ids, lists}, each tier's list newest (or oldest) first.
    const part = (shard, group) => {
      const key = `${shard}/${group}`;
      if (!parts.has(key)) {
        parts.set(key, (async () => {
          await this.shards.load([shard]);
          const only = (f) => f && { ...f, [SHARD_FILTER]: shard };
          const options = { filters: only(group ? filters : linkedFilters), sort: { date: sort } };
          let found;
          if (!group) found = await this.match(analysis, options, false, false);
          else {
            const linked = linkedFilters ? (await part(shard, 0)).ids : new Set();
            found = (await this.match(analysis, options, linkedFilters ? true : analysis.quoted))
              .filter((r) => !linked.has(r.result.id));
          }
          const tiers = group ? [[], [], []] : [found.map((r) => r.result)];
          if (group) for (const r of found) tiers[r.phrase || analysis.words.length < 2 ? 1 : 2].push(r.result);
          const lists = await Promise.all(tiers.map((results) => this.byDate(results, analysis, options, sort)));
          state.total += found.length;
          return { ids: new Set(found.map((r) => r.result.id)), lists };
        })());
      }
      return parts.get(key);
    };
    const tiers = sequence.map(([tier, names]) => this.checked(chained(names.map((name) =>
      async () => (await part(name, Math.min(tier, 1))).lists[tier])), analysis));
    const take = chained(tiers.map((list) => async () => list)).take;
    return {
      take,
      get total() { return state.total; },
      get complete() { return [...groups].every((key) => parts.has(key)); },
    };
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
  // gives the same stem: «الكويتية» and «الكويت») first.
  verified(results, analysis) {
    return this.checked({ total: results.length, take: async (count) => results.slice(0, count) }, analysis);
  }

  // A list ({take}) with the results whose text has every word first: each page checks the
  // text of at most twice as many results as it shows (the text it loads to show them
  // anyway), and shows the others only when too few do.
  checked(list, analysis) {
    const wanted = analysis.words.map((w) => new Set([...w.terms, w.surface].filter(Boolean).map(fold)));
    const has = async (result) => {
      const visible = (await this.load(result)).content || "";
      const keys = new Set([...visible.matchAll(WORD)].flatMap((m) => tokenKeys(m[0])));
      return wanted.every((word) => [...word].some((key) => keys.has(key)));
    };
    const out = [];
    const pending = [];
    let next = 0;
    let exhausted = false;
    const take = async (count) => {
      const limit = 2 * count;
      while (out.length < count) {
        if (!exhausted && (next < limit || !pending.length)) {
          const result = (await list.take(next + 1))[next];
          if (!result) exhausted = true;
          else (++next <= limit && !(await has(result)) ? pending : out).push(result);
        } else if (pending.length) out.push(pending.shift());
        else break;
      }
      return out.slice(0, count);
    };
    return { total: list.total, take };
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

// Lists ({take}) one after the other, each made when the results asked for reach it
// (``sources``: functions returning a list or a promise of one).
function chained(sources) {
  const lists = [];
  const take = async (count) => {
    const out = [];
    for (let i = 0; i < sources.length && out.length < count; i++) {
      if (!lists[i]) lists[i] = sources[i]();
      out.push(...(await (await lists[i]).take(count - out.length)));
    }
    return out;
  };
  return { take };
}
