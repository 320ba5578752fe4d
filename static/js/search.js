// The search page: Pagefind's JS API with Arabic query processing (see generator/search.py).
//
// Pagefind's Arabic stemmer strips letters that belong to names, so «بموسكو» and «موسكو» get
// different stems. Article pages carry a hidden block (after U+2063) with their words'
// clitic-stripped forms and their entities' names; here each query word is searched as typed
// and without its proclitics (with ة/ه and ى/ي variants), and the results are merged.
// Excerpts are built from the visible text only, before the separator.
//
// The index is split into shards that do not overlap in time (generator/search_index.py),
// listed newest first in the page's data-shards: the newest is loaded and the others merged
// into it. Each shard carries a synthetic filter with its name, so results by date are each
// shard's own date-sorted results, shard after shard.

const SEPARATOR = "\u2063";
const SHARD_FILTER = "__shard";
const PAGE_SIZE = 10;
const MAX_QUERIES = 12;
const EXCERPT_WORDS = 30;
// Pagefind's own Arabic UI strings (its translations/ar.json).
const STRINGS = {
  zero_results: "لا توجد نتائج ل [SEARCH_TERM]",
  many_results: "[COUNT] نتائج ل [SEARCH_TERM]",
  one_result: "[COUNT] نتيجة ل [SEARCH_TERM]",
  searching: "يبحث عن [SEARCH_TERM]...",
  error_search: "فشل البحث",
};
const BROWSE = "بلا كلمات بحث، تُعرض المقالات في صفحاتها:";
const TYPE_A_WORD = "اكتب كلمة للبحث ضمن هذا الاختيار.";

const DIACRITICS = /[\u064B-\u065F\u0670\u0640]/g;
const CONJUNCTIONS = ["", "و", "ف"];
const PREPOSITIONS = ["", "ب", "ل", "ك"];
const MIN_STEM = 2;
const WORD = /[^\s.,،؛;:!?؟«»"'()[\]{}<>\/\\|]+/gu;

// The same rule as generator/entities/matching.py: proclitic_stems.
export function procliticStems(word) {
  const stems = [];
  for (const conjunction of CONJUNCTIONS) {
    for (const preposition of PREPOSITIONS) {
      const prefix = conjunction + preposition;
      if (!prefix || !word.startsWith(prefix)) continue;
      const stem = word.slice(prefix.length);
      if (stem.length >= MIN_STEM) stems.push(stem);
      if (preposition === "ل" && stem.startsWith("ل") && stem.length > MIN_STEM) stems.push("ا" + stem);
    }
  }
  return [...new Set(stems)].filter((stem) => stem !== word);
}

function wordVariants(word) {
  const plain = word.replace(DIACRITICS, "");
  const out = [];
  for (const form of [plain, ...procliticStems(plain)]) {
    out.push(form);
    const head = form.slice(0, -1);
    const swap = { "ه": "ة", "ة": "ه", "ى": "ي", "ي": "ى" }[form.slice(-1)];
    if (swap && head.length >= MIN_STEM) out.push(head + swap);
  }
  return [...new Set(out)];
}

// Queries to run for what the reader typed: as typed first, then the closest variants.
export function expandQuery(query) {
  const words = query.trim().split(/\s+/).filter(Boolean);
  if (!words.length) return [];
  let combos = [{ words: [], rank: 0 }];
  for (const word of words) {
    const next = [];
    wordVariants(word).forEach((variant, rank) => {
      for (const combo of combos) next.push({ words: [...combo.words, variant], rank: combo.rank + rank });
    });
    combos = next.sort((a, b) => a.rank - b.rank).slice(0, MAX_QUERIES * 8);
  }
  return [...new Set([query.trim(), ...combos.map((c) => c.words.join(" "))])].slice(0, MAX_QUERIES);
}

function fold(word) {
  return word.replace(DIACRITICS, "").replace(/[أإآٱ]/g, "ا").replace(/ة/g, "ه").replace(/ى/g, "ي").toLowerCase();
}

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

  // All matching results, merged: by score, or by date (sort = "desc" | "asc").
  async run(query, filters = {}, sort = "") {
    const queries = expandQuery(query);
    const results = async (options) => {
      const searches = await Promise.all(queries.map((q) => this.pagefind.search(q, options)));
      return searches.map((s) => (s && s.results) || []);
    };
    if (!sort) return this.mergeByScore(await results({ filters }));
    const shards = sort === "asc" ? [...this.shards].reverse() : this.shards;
    const merged = [];
    for (const shard of shards) {
      const lists = await results({ filters: { ...filters, [SHARD_FILTER]: shard }, sort: { date: sort } });
      merged.push(this.mergeByDate(lists, sort));
    }
    return this.concat(merged);
  }

  // Lists that follow each other in time, as one.
  concat(parts) {
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

  mergeByScore(lists) {
    const best = new Map();
    lists.forEach((list, order) => {
      for (const result of list) {
        const seen = best.get(result.id);
        if (!seen || result.score > seen.score) best.set(result.id, { ...result, score: result.score, order, raw: result });
      }
    });
    return [...best.values()].sort((a, b) => b.score - a.score || a.order - b.order).map((r) => r.raw);
  }

  // Every list is already in date order: a k-way merge, loading the dates of list heads only.
  mergeByDate(lists, sort) {
    const ids = new Set();
    const unique = lists.map((list) => list.filter((r) => !ids.has(r.id) && ids.add(r.id)));
    const positions = unique.map(() => 0);
    const merged = [];
    const total = ids.size;
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

function excerpt(content, variants) {
  const visible = content.split(SEPARATOR)[0];
  const wanted = new Set(variants.map(fold));
  const words = [...visible.matchAll(WORD)];
  const hits = words.map((m) => {
    const folded = fold(m[0]);
    return wanted.has(folded) || procliticStems(folded).some((s) => wanted.has(s));
  });
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

function render(template, values) {
  return template.replace("[COUNT]", values.count ?? "").replace("[SEARCH_TERM]", values.term ?? "");
}

function digits(n, arabic) {
  return arabic ? String(n).replace(/\d/g, (d) => "٠١٢٣٤٥٦٧٨٩"[d]) : String(n);
}

async function main() {
  const root = document.getElementById("search");
  if (!root) return;
  const base = root.dataset.base;
  const arabicDigits = root.dataset.numerals !== "latn";
  const form = root.querySelector(".search-form");
  const input = form.querySelector("[name=q]");
  const sortSelect = form.querySelector("[name=sort]");
  const filterSelects = [...form.querySelectorAll("select[data-filter]")];
  const status = root.querySelector(".search-status");
  const list = root.querySelector(".search-results");
  const more = root.querySelector(".search-more");
  let engine = null;
  let generation = 0;

  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  sortSelect.value = params.get("sort") || "";
  for (const select of filterSelects) select.value = params.get(select.dataset.filter) || "";

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
    status.textContent = links.length ? BROWSE : TYPE_A_WORD;
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

  const update = async () => {
    const query = input.value.trim();
    const selected = filterSelects.filter((s) => s.value).map((s) => ({ name: s.dataset.filter, option: s.selectedOptions[0] }));
    const url = new URL(location.href);
    url.search = "";
    if (query) url.searchParams.set("q", query);
    if (sortSelect.value) url.searchParams.set("sort", sortSelect.value);
    for (const s of selected) url.searchParams.set(s.name, s.option.value);
    history.replaceState(null, "", url);
    const mine = ++generation;
    if (!query) {
      // A filter without words: browse the static page instead of downloading the index.
      if (selected.length) showBrowse(selected);
      else { list.replaceChildren(); status.textContent = ""; more.hidden = true; }
      return;
    }
    status.textContent = render(STRINGS.searching, { term: query });
    const filters = Object.fromEntries(selected.map((s) => [s.name, s.option.value]));
    let found;
    try {
      const search = await ready();
      found = await search.run(query, filters, sortSelect.value);
    } catch (error) {
      status.textContent = STRINGS.error_search;
      throw error;
    }
    if (mine !== generation) return;
    const total = Array.isArray(found) ? found.length : found.total;
    const take = Array.isArray(found) ? async (n) => found.slice(0, n) : found.take;
    const template = total === 0 ? STRINGS.zero_results : total === 1 ? STRINGS.one_result : STRINGS.many_results;
    const variants = query.split(/\s+/).flatMap(wordVariants);
    let shown = 0;
    list.replaceChildren();
    const showMore = async () => {
      const page = (await take(shown + PAGE_SIZE)).slice(shown);
      const items = await Promise.all(page.map(async (result) => [result, await engine.load(result)]));
      if (mine !== generation) return;
      for (const [, data] of items) list.append(resultItem(data, variants));
      shown += page.length;
      more.hidden = shown >= total;
    };
    more.onclick = showMore;
    await showMore();
    // Announced once the first results are on the page.
    if (mine === generation) status.textContent = render(template, { count: digits(total, arabicDigits), term: query });
  };

  let timer = null;
  form.addEventListener("submit", (event) => { event.preventDefault(); clearTimeout(timer); update(); });
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(update, 300); });
  for (const select of [sortSelect, ...filterSelects]) select.addEventListener("change", update);
  window.archiveSearch = { expandQuery, ready, update };
  if (input.value || filterSelects.some((s) => s.value)) await update();
}

function resultItem(data, variants) {
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
  const { parts, before, after } = excerpt(data.content || "", variants);
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
