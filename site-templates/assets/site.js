/* site.js: copy buttons on commands; "/" jumps to search.  Ours, no dependencies. */
(function () {
	'use strict';

	function copyText(text, done) {
		if (navigator.clipboard && window.isSecureContext) {
			navigator.clipboard.writeText(text).then(done, function () { fallback(text, done); });
		} else {
			fallback(text, done);
		}
	}

	function fallback(text, done) {
		var t = document.createElement('textarea');
		t.value = text;
		t.setAttribute('readonly', '');
		t.style.position = 'absolute';
		t.style.left = '-9999px';
		document.body.appendChild(t);
		t.select();
		try { document.execCommand('copy'); done(); } catch (e) { /* leave it selectable */ }
		document.body.removeChild(t);
	}

	function addButton(pre) {
		var b = document.createElement('button');
		b.type = 'button';
		b.className = 'copy';
		b.textContent = 'Copy';
		b.addEventListener('click', function () {
			copyText(pre.querySelector('code').textContent, function () {
				b.textContent = 'Copied';
				setTimeout(function () { b.textContent = 'Copy'; }, 1500);
			});
		});
		pre.appendChild(b);
	}

	Array.prototype.forEach.call(document.querySelectorAll('pre.cmd'), addButton);

	document.addEventListener('keydown', function (ev) {
		var t = ev.target.tagName;
		if (ev.key !== '/' || ev.ctrlKey || ev.metaKey || ev.altKey ||
		    t === 'INPUT' || t === 'TEXTAREA')
			return;
		var box = document.getElementById('q') || document.querySelector('.top-search input');
		if (box) {
			ev.preventDefault();
			box.focus();
			box.select();
		}
	});
})();
