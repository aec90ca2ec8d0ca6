#!/usr/bin/env node
// bench/gen-kernels.js N KERNELS_DIR [HUGO_DIR]
//
// Writes N synthetic kernels (deterministic: the same N gives the same
// tree) into KERNELS_DIR, and, when HUGO_DIR is given, an equivalent Hugo
// site: one page per kernel with the same front matter and README, a list
// page and one page per tag.  Node's standard library only.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const [n, kdir, hdir] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
if (!n || !kdir) {
	console.error('usage: gen-kernels.js N KERNELS_DIR [HUGO_DIR]');
	process.exit(2);
}

let seed = 0x9e3779b9;
function rand() {                      // mulberry32
	seed = (seed + 0x6d2b79f5) | 0;
	let t = seed;
	t = Math.imul(t ^ (t >>> 15), t | 1);
	t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
	return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rand() * a.length)];
// Zipf-like: early words of a list are much more common, as in real text.
const zipf = (a) => a[Math.floor(a.length * Math.pow(rand(), 2.2))];

const TAGS = ('unikernel hpc hrt smp numa rdma infiniband realtime gpu virtio ' +
	'posix lightweight co-kernel partitioned multikernel research tiny ' +
	'network storage mpi openmp fpga arm riscv security sandbox embedded ' +
	'scheduler memory tracing debug profiling simd accelerator nvme ' +
	'paravirtual bare-metal microkernel exokernel library-os').split(' ');
const ROOTS = ('nautilus pebble reef kitten mckernel hermit osv unikraft ' +
	'mirage rump clive hobbes pisces libra jailhouse ihk tessera quark ' +
	'coral lantern atoll lagoon trench kelp abyss drift tide current ' +
	'harbor beacon anchor keel hull mast sextant compass meridian').split(' ');
const ADJ = ('tiny fast minimal lean deterministic low-noise scalable ' +
	'partitioned hybrid single-address-space event-driven').split(' ');
const KIND = ('kernel unikernel co-kernel runtime library OS hypervisor ' +
	'executive').split(' ');
const PURPOSE = ('bulk-synchronous HPC jobs|latency-critical services|' +
	'MPI ranks on dedicated cores|network functions|teaching operating ' +
	'systems|storage offload|parallel runtimes|real-time control loops|' +
	'GPU-heavy pipelines|sandboxed functions').split('|');
const WORDS = ('the kernel runs app memory cores boot time page table thread ' +
	'scheduler interrupt device driver latency throughput partition node ' +
	'cluster job rank barrier collective message queue buffer cache line ' +
	'numa domain socket tlb shootdown hugepage allocator heap stack ' +
	'syscall delegation forwarding console serial log exit status image ' +
	'multiboot loader module symbol linker script header toolchain gcc ' +
	'binutils build link variant debug release tracing counter sample ' +
	'profile timer tick tickless jitter noise isolation affinity pinning ' +
	'offload accelerator gpu fpga nic rdma verbs infiniband ethernet virtio ' +
	'block net vsock filesystem ramdisk initrd posix subset pthread mutex ' +
	'futex signal clock monotonic benchmark stream hpcg lulesh minife ' +
	'amg kripke openmp mpi collective allreduce broadcast scatter gather ' +
	'checkpoint restart fault tolerance resilience security isolation ' +
	'capability sandbox enclave attestation measurement firmware acpi apic ' +
	'ioapic msi pci enumeration bar dma iommu smmu hypervisor guest host ' +
	'vmexit paravirtual hypercall shared ring doorbell polling completion ' +
	'event loop coroutine fiber continuation async await scheduler quantum ' +
	'preemption cooperative priority realtime deadline budget admission ' +
	'control energy power frequency governor thermal throttle').split(' ');

function sentence(min, max) {
	const len = min + Math.floor(rand() * (max - min));
	const w = [];
	for (let i = 0; i < len; i++)
		w.push(zipf(WORDS));
	const s = w.join(' ');
	return s[0].toUpperCase() + s.slice(1) + '.';
}

function readme(name, summary) {
	const p = [];
	for (let i = 0; i < 2 + Math.floor(rand() * 3); i++) {
		const s = [];
		for (let j = 0; j < 3 + Math.floor(rand() * 4); j++)
			s.push(sentence(6, 16));
		p.push(s.join(' '));
	}
	return `# ${name}\n\n${summary}.\n\n${p[0]}\n\n## Usage\n\n` +
		'```sh\n' + `diver init app ${name}\ndiver build app\ndiver dive app\n` +
		'```\n\n' + p.slice(1).join('\n\n') + '\n\n## Features\n\n' +
		`- ${sentence(4, 8)}\n- ${sentence(4, 8)}\n- ${sentence(4, 8)}\n`;
}

function sha(buf) {
	return crypto.createHash('sha256').update(buf).digest('hex');
}

function mkrelease(k, version, variants) {
	const dir = path.join(kdir, k.name, version);
	const vs = {};
	for (const v of variants) {
		const size = 4 * (512 + Math.floor(rand() * 1536));
		const img = Buffer.alloc(size);
		for (let i = 0; i < size; i += 4)
			img.writeUInt32LE((rand() * 4294967296) >>> 0 & 0x0f0f0f0f, i);
		fs.mkdirSync(path.join(dir, v, 'kit', 'include'), { recursive: true });
		fs.writeFileSync(path.join(dir, v, 'image'), img);
		fs.writeFileSync(path.join(dir, v, 'kit', 'include', k.name + '.h'),
			`/* ${k.name} ${version} ${v} */\nint ${k.name.replace(/-/g, '_')}_main(int argc, char **argv);\n`);
		vs[v] = {
			config: v === 'default' ? 'optimized build' : 'assertions and a verbose log',
			image: { path: `${v}/image`, format: 'multiboot1', sha256: sha(img), size },
			kit: { path: `${v}/kit` },
		};
	}
	const json = {
		name: k.name, version, summary: k.summary, license: 'MIT',
		homepage: `https://example.org/${k.name}`, authors: ['Bench Generator'],
		tags: k.tags, arch: k.arch, modes: k.modes, build: k.build,
		toolchain: { name: 'gcc-i386', version: '12.2.0' }, variants: vs,
	};
	fs.writeFileSync(path.join(dir, 'kernel.json'), JSON.stringify(json, null, 2) + '\n');
	fs.writeFileSync(path.join(dir, 'README.md'), k.readme);
}

function hugoSite() {
	const L = path.join(hdir, 'layouts');
	fs.mkdirSync(path.join(L, '_default'), { recursive: true });
	fs.mkdirSync(path.join(hdir, 'content', 'kernels'), { recursive: true });
	fs.writeFileSync(path.join(hdir, 'config.toml'),
		'baseURL = "/"\ntitle = "Kernel catalog"\nrelativeURLs = true\n' +
		'disableKinds = ["RSS", "sitemap", "robotsTXT", "404"]\n' +
		'[taxonomies]\n  tag = "tags"\n[markup.goldmark.renderer]\n  unsafe = false\n');
	const head = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
		'<title>{{ .Title }}</title><link rel="stylesheet" href="/style.css"></head><body>' +
		'<header><a href="/">Kernel catalog</a></header><main>';
	const foot = '</main></body></html>\n';
	const row = '<tr><td><a href="{{ .RelPermalink }}">{{ .Title }}</a><br>{{ .Params.summary }}</td>' +
		'<td>{{ .Params.version }}</td><td>{{ .Params.arch }}</td>' +
		'<td>{{ with .Params.modes }}{{ delimit . ", " }}{{ end }}</td><td>{{ range .Params.tags }}' +
		'<a href="/tags/{{ . | urlize }}/">{{ . }}</a> {{ end }}</td></tr>';
	fs.writeFileSync(path.join(L, 'index.html'), head +
		'<h1>Kernels</h1><p>{{ len (where .Site.RegularPages "Section" "kernels") }} kernels</p>' +
		'<ul>{{ range .Site.Taxonomies.tags.ByCount }}<li><a href="{{ .Page.RelPermalink }}">' +
		'{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}</ul><table>' +
		'{{ range where .Site.RegularPages "Section" "kernels" }}' + row + '{{ end }}</table>' + foot);
	fs.writeFileSync(path.join(L, '_default', 'list.html'), head +
		'<h1>{{ .Title }}</h1><table>{{ range .Pages }}' + row + '{{ end }}</table>' + foot);
	fs.writeFileSync(path.join(L, '_default', 'single.html'), head +
		'<h1>{{ .Title }} {{ .Params.version }}</h1><p>{{ .Params.summary }}</p>' +
		'<table>{{ range .Params.releases }}<tr><td>{{ .version }}</td><td>{{ .variant }}</td>' +
		'<td>{{ .size }}</td><td><code>{{ .sha256 }}</code></td>' +
		'<td><code>diver init app {{ $.Title }}:{{ .variant }}@{{ .version }}</code></td></tr>' +
		'{{ end }}</table>{{ .Content }}' + foot);
}

function hugoPage(k, releases) {
	const fm = {
		title: k.name, summary: k.summary, version: releases[0].version,
		arch: k.arch, modes: k.modes, tags: k.tags, build: k.build, releases: [],
	};
	for (const r of releases)
		for (const v of r.variants)
			fm.releases.push({ version: r.version, variant: v, size: 4096, sha256: '0'.repeat(64) });
	fs.writeFileSync(path.join(hdir, 'content', 'kernels', k.name + '.md'),
		JSON.stringify(fm, null, 1) + '\n\n' + k.readme);
}

function main() {
	fs.mkdirSync(kdir, { recursive: true });
	if (hdir)
		hugoSite();
	const seen = new Set();
	for (let i = 0; i < n; i++) {
		let name;
		do
			name = `${pick(ROOTS)}-${pick(ROOTS)}-${Math.floor(rand() * 1000)}`;
		while (seen.has(name));
		seen.add(name);
		const tags = [...new Set([pick(TAGS), zipf(TAGS), zipf(TAGS), pick(TAGS)])].sort();
		const summary = `A ${pick(ADJ)} ${pick(KIND)} for ${pick(PURPOSE)}`;
		const modes = rand() < 0.3 ? ['vm', 'splitvm', 'hw'] : rand() < 0.5 ? ['vm', 'splitvm'] : ['vm'];
		const k = { name, tags, summary, modes, arch: 'x86_64',
			build: rand() < 0.6 ? 'link' : 'module' };
		k.readme = readme(name, summary);
		const releases = [{ version: '1.0.0', variants: ['default'] }];
		if (rand() < 0.2)
			releases.unshift({ version: '1.1.0', variants: ['default', 'debug'] });
		for (const r of releases)
			mkrelease(k, r.version, r.variants);
		if (hdir)
			hugoPage(k, releases);
	}
}

main();
