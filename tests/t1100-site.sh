#!/bin/bash
# catalog-gen: the pages, the search index, templates, and incremental renders.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/site-fixtures.sh"

export SOURCE_DATE_EPOCH=1795478400
make_key key
(cd "$TMP" && site_fixture tree)
# Inputs changed less than a second before a run are checked again on the
# next one; let the tree age so that the incremental tests see it settled.
sleep 1.1
nkernels=$(ls "$TMP/tree" | wc -l)

# The files of a site, without the cache (which records stat data).
site_state() { tree_state "$1" | grep -v catalog-gen-cache; }

test_expect_success 'renders every page' '
	catalog-gen -k key -o site tree >log &&
	for f in index.html offline.html search-index.js catalog.json catalog.json.sig \
		 assets/style.css assets/search.js assets/site.js assets/icon.svg \
		 kernels/hpc-lite/index.html kernels/coral/index.html \
		 tags/hpc.html tags/lightweight.html .catalog-gen-cache; do
		test -s "site/$f" || { echo "missing $f"; exit 1; }
	done &&
	ls site/kernels >names && ls tree >want && diff -u want names
'

test_expect_success 'index lists every kernel with its newest version, tags, modes and arch' '
	for k in $(ls tree); do
		grep -q "href=\"kernels/$k/index.html\"" site/index.html || { echo "no $k"; exit 1; }
	done &&
	grep -A1 "kernels/hpc-lite/index.html" site/index.html | grep -q "1.0.0" &&
	! grep -q ">0.9.0<" site/index.html &&
	grep -q "<span class=\"mode\" title=\"deployment mode\">hw</span>" site/index.html &&
	grep -q "x86_64" site/index.html &&
	grep -q "href=\"tags/smp.html\">smp<span>2</span>" site/index.html
'

test_expect_success 'a kernel page has every release and variant with sizes, hashes and commands' '
	p=site/kernels/hpc-lite/index.html &&
	grep -q "id=\"v1.0.0\"" $p && grep -q "id=\"v0.9.0\"" $p &&
	line=$(grep "\"name\":\"hpc-lite\"" site/catalog.json) &&
	for sha in $(echo "$line" | grep -o "\"sha256\":\"[0-9a-f]*\"" | cut -d\" -f4); do
		grep -q "$sha" $p || { echo "no $sha"; exit 1; }
	done &&
	grep -q "diver init app hpc-lite:default@1.0.0" $p &&
	grep -q "diver pull hpc-lite:default@0.9.0" $p &&
	grep -q "<b>module</b>" $p && grep -q "gcc-i386 12.2.0" $p &&
	grep -q "vm, splitvm, hw" $p &&
	grep -q "href=\"../../pkg/hpc-lite/1.0.0/default.tar.zst\"" $p &&
	grep -q "title=\"$(stat -c %s tree/hpc-lite/1.0.0/default/image) bytes\"" $p
'

test_expect_success 'the README is rendered with cmark, without its title' '
	p=site/kernels/hpc-lite/index.html &&
	grep -q "<strong>no timer ticks</strong>" $p &&
	grep -q "<h2>Deploying</h2>" $p &&
	grep -q "<li>pins every thread; no migration</li>" $p &&
	! grep -q "<h1>hpc-lite</h1>" $p
'

test_expect_success 'raw HTML and javascript: links in a README are dropped' '
	mkdir -p evil && make_kernel evil bad 1.0.0 "Harmless" "test" "vm" link \
		"<script>alert(1)</script>

[click](javascript:alert(2)) <img src=x onerror=alert(3)>" &&
	catalog-gen -q -o evil-site evil &&
	p=evil-site/kernels/bad/index.html &&
	! grep -q "<script>alert" $p && ! grep -q "javascript:" $p &&
	! grep -q "onerror" $p && grep -q "raw HTML omitted" $p
'

test_expect_success 'metadata is HTML-escaped on every page' '
	mkdir -p xss && make_kernel xss probe 1.0.0 "Shows <script>alert(1)</script> & \\\"quotes\\\"" \
		"test" "vm" link &&
	catalog-gen -q -o xss-site xss &&
	for f in index.html kernels/probe/index.html tags/test.html; do
		grep -q "Shows &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;" xss-site/$f ||
			{ echo "not escaped in $f"; exit 1; }
		! grep -q "<script>alert" xss-site/$f
	done
'

test_expect_success 'a tag page lists the kernels with that tag and no others' '
	grep -q "kernels/nautilus-rt/index.html" site/tags/hpc.html &&
	! grep -q "kernels/coral/index.html" site/tags/hpc.html &&
	grep -c "class=\"krow\"" site/tags/lightweight.html >n && test "$(cat n)" = 2 &&
	grep -q "<base href=\"../\">" site/tags/lightweight.html
'

test_expect_success 'every page links only to files that exist, relative to itself' '
	cd site &&
	for page in index.html offline.html kernels/*/index.html tags/*.html; do
		dir=$(dirname $page)
		grep -q "<base href=\"../\">" $page && dir=.
		for href in $(grep -o "\(href\|src\)=\"[^\"#?]*\"" $page | cut -d\" -f2 | sort -u); do
			case $href in http*) continue ;; esac
			test -e "$dir/$href" || { echo "$page: broken link $href"; exit 1; }
		done
	done
'

test_expect_success 'search-index.js holds every kernel and ranks name > tag > summary > README' '
	node -e "
		const fs = require(\"fs\"), vm = require(\"vm\");
		const ctx = { window: {}, document: { getElementById: () => null } };
		ctx.window = ctx;
		vm.createContext(ctx);
		vm.runInContext(fs.readFileSync(\"site/search-index.js\", \"utf8\"), ctx);
		vm.runInContext(fs.readFileSync(\"site/assets/search.js\", \"utf8\"), ctx);
		const names = fs.readdirSync(\"tree\").sort();
		const ix = new ctx.DiverSearch.Index(ctx.DIVER_INDEX);
		const q = (s) => (ix.query(s) || []).map((i) => names[i]).join(\" \");
		const check = (s, want) => {
			if (q(s) !== want) { console.log(s + \": got \" + q(s) + \", want \" + want); process.exit(1); }
		};
		if (ix.n !== names.length) process.exit(1);
		check(\"hpc\", \"hpc-lite nautilus-rt reef-mpi coral\");
		check(\"HP\", \"hpc-lite nautilus-rt reef-mpi coral\");
		check(\"light\", \"hpc-lite kitten-lts\");
		check(\"kitten\", \"kitten-lts\");
		check(\"hpc lean\", \"hpc-lite\");
		check(\"hw\", \"hpc-lite kitten-lts\");
		check(\"zzz\", \"\");
		if (ix.query(\"  \") !== null) process.exit(1);
	"
'

test_expect_success 'the same input and SOURCE_DATE_EPOCH give the same site' '
	catalog-gen -q -k key -o site2 tree &&
	site_state site >a && site_state site2 >b && diff -u a b
'

test_expect_success 'a second run with nothing changed writes nothing' '
	tree_state site >before &&
	catalog-gen -k key -o site tree >log && cat log &&
	grep "; 0 files written, $nkernels kernels unchanged" log &&
	tree_state site >after && diff -u before after
'

# ls -i of every file but the shared ones, to see which were replaced.
inodes() { (cd "$1" && find kernels pkg tags -type f -printf '%i %p\n' | sort -k2); }

test_expect_success 'after one kernel changed, only the files it affects are written' '
	inodes site >before &&
	printf "\nNow with NUMA-aware allocation.\n" >>tree/coral/0.2.0/README.md &&
	catalog-gen -k key -o site tree >log && cat log &&
	grep "$((nkernels - 1)) kernels unchanged" log &&
	inodes site >after && diff before after >changed || true &&
	grep "^>" changed | cut -d" " -f3 | sort >files &&
	printf "%s\n" kernels/coral/index.html pkg/coral/0.2.0/debug.tar.zst \
		pkg/coral/0.2.0/default.tar.zst | sort >want &&
	diff -u want files
'

test_expect_success 'an incremental render is byte-identical to a full one' '
	catalog-gen -q -k key --full -o full tree &&
	site_state site >a && site_state full >b && diff -u a b
'

test_expect_success 'a new kernel, a new release and a removed kernel are all reflected' '
	make_kernel tree quasar 0.1.0 "New kernel" "newtag" "vm" link &&
	make_kernel tree tide 1.1.0 "Event-driven executive for storage offload" "storage nvme" "vm" module &&
	rm -rf tree/kitten-lts &&
	catalog-gen -k key -o site tree >log && cat log &&
	test -f site/kernels/quasar/index.html && test -f site/tags/newtag.html &&
	test -f site/pkg/tide/1.1.0/default.tar.zst &&
	test ! -e site/kernels/kitten-lts && test ! -e site/pkg/kitten-lts &&
	test ! -e site/tags/numa.html &&
	! grep -q kitten-lts site/index.html site/search-index.js site/catalog.json &&
	catalog-gen -q -k key --full -o full2 tree &&
	site_state site >a && site_state full2 >b && diff -u a b
'

test_expect_success 'changed templates remake every page but no package' '
	cp -R "$SRC/site-templates" tpl && echo "/* changed */" >>tpl/assets/style.css &&
	(cd site && find pkg -type f -printf "%i %p\n" | sort) >pkg-before &&
	DIVER_TEMPLATES=$TMP/tpl catalog-gen -q -k key -o site tree &&
	(cd site && find pkg -type f -printf "%i %p\n" | sort) >pkg-after &&
	diff -u pkg-before pkg-after &&
	grep -q "changed" site/assets/style.css
'

test_expect_success 'a broken or foreign cache only means a full render' '
	echo garbage >site/.catalog-gen-cache &&
	catalog-gen -k key -o site tree >log && grep "0 kernels unchanged" log &&
	catalog-gen -q -k key -o site tree &&
	site_state site >a && site_state full2 >b && diff -u a b
'

test_expect_success 'a failed incremental run leaves the site and its cache as they were' '
	tree_state site >before &&
	cp tree/coral/0.2.0/kernel.json saved &&
	sed -i "s/\"tags\":\[/\"tags\":[\"Bad_Tag\",/" tree/coral/0.2.0/kernel.json &&
	expect_error "tree/coral/0.2.0/kernel.json: field \"tags\[0\]\": expected a tag" \
		catalog-gen -k key -o site tree &&
	cp saved tree/coral/0.2.0/kernel.json &&
	tree_state site >after && diff -u before after && ! ls -d site.tmp-* 2>/dev/null
'

test_expect_success 'a changed image of a published release is still refused' '
	echo tampered >>tree/coral/0.2.0/default/image &&
	sha=$(sha256sum <tree/coral/0.2.0/default/image | cut -d" " -f1) &&
	size=$(stat -c %s tree/coral/0.2.0/default/image) &&
	sed -i "0,/\"sha256\":\"[0-9a-f]*\"/s//\"sha256\":\"$sha\"/" tree/coral/0.2.0/kernel.json &&
	sed -i "0,/\"size\":[0-9]*/s//\"size\":$size/" tree/coral/0.2.0/kernel.json &&
	tree_state site >before &&
	expect_error "variant .default. changed after it was published" catalog-gen -k key -o site tree &&
	tree_state site >after && diff -u before after
'

test_expect_success 'templates are found beside an installed program' '
	mkdir -p inst/bin inst/share/diver &&
	cp "$BUILD/bin/catalog-gen" inst/bin/ && cp -R "$SRC/site-templates" inst/share/diver/ &&
	inst/bin/catalog-gen -q -o inst-site evil && test -f inst-site/kernels/bad/index.html &&
	rm -rf inst/share &&
	if [ ! -d /usr/local/share/diver/site-templates ]; then
		expect_error "cannot find the site templates" inst/bin/catalog-gen -o x evil
	fi
'

test_expect_success 'a template with an unknown variable is an error naming it' '
	cp -R "$SRC/site-templates" badtpl && echo "{{nope}}" >>badtpl/row.html &&
	expect_error "template .row.html.: line 2: unknown variable .nope." \
		catalog-gen --templates badtpl -o x evil
'

test_done
