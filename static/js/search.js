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
// Three modules, found through the page's import map: query.js (the Arabic rules, the word
// lists, corrections, the entity a query names), results.js (searching with Pagefind and
// ordering the results) and this page.
//
// The index is split into shards that do not overlap in time, listed newest first in the
// page's data-shards; results.js loads those a query needs (results newest first by default,
// so a query usually loads one shard). Each shard carries a synthetic filter with its name.

import { Lists, WORD, analyse, bareForms, bucketOf, compoundVariants, countOf, editDistance,
  fold, procliticStems, setRules, tokenKeys } from "archive/query";
import { Search, Shards } from "archive/results";

const SEPARATOR = "\u2063";
const PAGE_SIZE = 10;
const EXCERPT_WORDS = 30;

const TEXT = {
  searching: (q) => `يبحث عن «${q}»…`,
  error: "فشل البحث",
  none: "لا نتائج",
  browse: "بلا كلمات بحث، تُعرض المقالات في صفحاتها:",
  typeAWord: "اكتب كلمة للبحث ضمن هذا الاختيار.",
  corrected: "عُرضت نتائج «{to}». ",
  insteadOf: "ابحث عن «{from}» كما كُتبت",
  didYouMean: "هل تقصد ",
  atLeast: (count) => `أكثر من ${count}`,
  linkedOnly: (name) => `المقالات التي يُذكر فيها ${name} فقط`,
  found: "اكتُشف آليًا، لم يراجعه المحررون بعد",
};

function excerpt(content, terms) {
  const visible = content.split(SEPARATOR)[0];
  const wanted = new Set(terms.map(fold));
  const words = [...visible.matchAll(WORD)];
  const hits = words.map((m) => tokenKeys(m[0]).some((key) => wanted.has(key)));
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

  const shards = new Shards(base, JSON.parse(root.dataset.shards || "[]"));
  const engine = new Search(shards);
  const ready = async () => engine;

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
      more.hidden = found.complete && shown >= found.total;
      // Announced once the results are on the page; "more than" while older shards wait.
      const count = !found.total ? TEXT.none : found.complete ? countOf(found.total, "result", digits)
        : TEXT.atLeast(countOf(found.total, "result", digits));
      status.textContent = `${count} لـ«${analysis.suggestion || analysis.query}»`;
    };
    more.onclick = showMore;
    await showMore();
  };

  // Every result the page finds for a query, in its order (for tests and the benchmark).
  const allResults = async (query, options = {}) => {
    const analysis = await analyse(query, lists, options);
    const search = await ready();
    const found = await search.run(analysis, options.filters || {}, options.sort || "", Boolean(options.linkedOnly));
    const results = await found.take(Infinity);
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
