// Searching with Pagefind: each word of an analysed query (query.js) searched on its own, its
// spellings' results merged; the articles with all the words kept, together and in order when
// the query asks for it (Pagefind's word positions); the articles where the named entity is
// linked first; each page of results checked against the articles' text; by date, each
// shard's date-sorted results, shard after shard. Loaded through the page's import map
// ("archive/results").

import { WORD, fold, tokenKeys } from "archive/query";

export const SHARD_FILTER = "__shard";

// -- searching ----------------------------------------------------------------------------------

export class Search {
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
      const keys = new Set([...visible.matchAll(WORD)].flatMap((m) => tokenKeys(m[0])));
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
