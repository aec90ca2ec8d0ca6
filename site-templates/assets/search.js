/*
 * search.js: instant search over the index catalog-gen writes to
 * search-index.js (loaded by a <script> tag, so it works from file:// too).
 * Ours, no dependencies.
 *
 * The index has four fields, best first: name, tag (with arch and modes),
 * summary, README.  Each field is a sorted list of terms and, for each term,
 * the ids of the kernels that have it (ids are positions in the list of all
 * kernels on index.html), gap-encoded as base-64 varints.  A query is split
 * into words; a kernel matches when every word is a prefix of one of its
 * terms, and scores the best field each word matched in (exact beats prefix).
 */
(function () {
	'use strict';

	var WEIGHTS = [[100, 70], [50, 35], [20, 14], [8, 5]]; /* [exact, prefix] */
	var SHOWN = 25;          /* results shown; more is for tag pages */
	var ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_';
	var DIGIT = new Int8Array(128);
	for (var d = 0; d < ALPHABET.length; d++)
		DIGIT[ALPHABET.charCodeAt(d)] = d;

	function tokenize(q) {
		return q.toLowerCase().split(/[^a-z0-9]+/).filter(function (t) {
			return t.length > 0;
		}).slice(0, 8);
	}

	function Index(raw) {
		this.n = raw.n;
		this.fields = raw.f.map(function (f) {
			return { terms: f.t ? f.t.split(' ') : [], post: f.p ? f.p.split(' ') : [] };
		});
	}

	function lowerBound(a, q) {
		var lo = 0, hi = a.length;
		while (lo < hi) {
			var mid = (lo + hi) >>> 1;
			if (a[mid] < q)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo;
	}

	/*
	 * Score one word: for every kernel that matched all earlier words
	 * (hits[id] === j), remember the best weight this word reaches.
	 */
	Index.prototype.word = function (t, j, hits, best, touched) {
		for (var f = 0; f < this.fields.length; f++) {
			var terms = this.fields[f].terms, post = this.fields[f].post;
			for (var k = lowerBound(terms, t); k < terms.length; k++) {
				var term = terms[k];
				if (term.lastIndexOf(t, 0) !== 0)
					break;
				var w = WEIGHTS[f][term.length === t.length ? 0 : 1];
				var s = post[k], id = -1, v = 0, mul = 1;
				for (var i = 0; i < s.length; i++) {
					var c = DIGIT[s.charCodeAt(i)];
					v += (c & 31) * mul;
					if (c & 32) {
						mul *= 32;
						continue;
					}
					id += v + 1;
					v = 0;
					mul = 1;
					if (hits[id] !== j)
						continue;
					if (best[id] === 0)
						touched.push(id);
					if (w > best[id])
						best[id] = w;
				}
			}
		}
	};

	/* The ids of the matching kernels, best first (then by name). */
	Index.prototype.query = function (q) {
		var words = tokenize(q);
		if (words.length === 0)
			return null;
		var n = this.n, hits = new Uint8Array(n), best = new Int32Array(n);
		var total = new Int32Array(n), touched = [];
		for (var j = 0; j < words.length; j++) {
			touched = [];
			this.word(words[j], j, hits, best, touched);
			for (var i = 0; i < touched.length; i++) {
				var id = touched[i];
				total[id] += best[id];
				best[id] = 0;
				hits[id] = j + 1;
			}
			if (touched.length === 0)
				return [];
		}
		var keys = new Float64Array(touched.length);
		for (var r = 0; r < touched.length; r++)
			keys[r] = (100000 - total[touched[r]]) * 4194304 + touched[r];
		keys.sort();
		var out = new Array(keys.length);
		for (var o = 0; o < keys.length; o++)
			out[o] = keys[o] % 4194304;
		return out;
	};

	window.DiverSearch = { Index: Index, tokenize: tokenize };

	/* The page: only index.html has the search box and the full list. */
	var input = document.getElementById('q');
	var all = document.getElementById('all');
	if (!input || !all || !window.DIVER_INDEX)
		return;
	var index = new Index(window.DIVER_INDEX);
	var box = document.getElementById('search');
	var browse = document.getElementById('browse');
	var results = document.getElementById('results');
	var status = document.getElementById('status');
	var rows = all.children;
	var selected = -1;

	function plural(n, one, many) {
		return n + ' ' + (n === 1 ? one : many);
	}

	function mark(link, words) {
		var name = link.textContent, lower = name.toLowerCase(), best = 0;
		words.forEach(function (w) {
			if (lower.lastIndexOf(w, 0) === 0 && w.length > best)
				best = w.length;
		});
		if (best === 0)
			return;
		var m = document.createElement('mark');
		m.textContent = name.slice(0, best);
		link.textContent = name.slice(best);
		link.insertBefore(m, link.firstChild);
	}

	function select(i, scroll) {
		var items = results.children;
		if (selected >= 0 && selected < items.length) {
			items[selected].classList.remove('sel');
			items[selected].setAttribute('aria-selected', 'false');
		}
		selected = items.length ? Math.max(0, Math.min(i, items.length - 1)) : -1;
		if (selected >= 0) {
			var it = items[selected];
			it.classList.add('sel');
			it.setAttribute('aria-selected', 'true');
			input.setAttribute('aria-activedescendant', it.id);
			if (scroll && it.scrollIntoView)
				it.scrollIntoView({ block: 'nearest' });
		} else {
			input.removeAttribute('aria-activedescendant');
		}
	}

	/* The query goes into the URL once typing pauses (it costs a few ms). */
	var urlTimer = 0;
	function keepInUrl(q) {
		var url = q ? '?q=' + encodeURIComponent(q) : location.pathname.replace(/^.*\//, '') || '.';
		clearTimeout(urlTimer);
		urlTimer = setTimeout(function () {
			try {
				history.replaceState(null, '', url);
			} catch (e) {
				/* Some browsers refuse history changes on file:// pages. */
			}
		}, 250);
	}

	function show(q) {
		var ids = index.query(q);
		keepInUrl(q.trim() ? q : '');
		results.textContent = '';
		selected = -1;
		if (ids === null) {
			browse.hidden = false;
			status.textContent = '';
			return;
		}
		browse.hidden = true;
		var words = tokenize(q), frag = document.createDocumentFragment();
		for (var i = 0; i < ids.length && i < SHOWN; i++) {
			var li = rows[ids[i]].cloneNode(true);
			li.id = 'r' + i;
			li.setAttribute('role', 'option');
			mark(li.querySelector('.k-link'), words);
			frag.appendChild(li);
		}
		results.appendChild(frag);
		status.textContent = ids.length === 0 ? 'No kernel matches “' + q.trim() + '”.' :
			plural(ids.length, 'kernel matches', 'kernels match') + ' “' + q.trim() + '”' +
			(ids.length > SHOWN ? '; the best ' + SHOWN + ' are shown, refine the search ' +
			 'or browse by tag for the rest.' : '.');
		if (ids.length)
			select(0);
	}

	function open(i) {
		var li = results.children[i];
		if (li)
			location.href = li.querySelector('.k-link').href;
	}

	input.addEventListener('input', function () { show(input.value); });
	input.addEventListener('keydown', function (ev) {
		if (ev.key === 'ArrowDown') {
			select(selected + 1, true);
		} else if (ev.key === 'ArrowUp') {
			select(selected - 1, true);
		} else if (ev.key === 'Enter') {
			open(selected < 0 ? 0 : selected);
		} else if (ev.key === 'Escape') {
			input.value = '';
			show('');
		} else {
			return;
		}
		ev.preventDefault();
	});
	results.addEventListener('click', function (ev) {
		var li = ev.target.closest ? ev.target.closest('li') : null;
		if (li && ev.target.tagName !== 'A')
			location.href = li.querySelector('.k-link').href;
	});

	box.hidden = false;
	var start = new URLSearchParams(location.search).get('q') || '';
	input.value = start;
	if (start)
		show(start);
	else
		input.focus();
	window.addEventListener('pageshow', function () {
		if (input.value)
			show(input.value);
	});
})();
