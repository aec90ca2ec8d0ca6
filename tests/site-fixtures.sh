# tests/site-fixtures.sh — kernels trees for the catalog site tests
# (t1100, t1200, t5000), sourced after tests/lib.sh.

# make_kernel TREE NAME VERSION SUMMARY "TAG..." "MODE..." BUILD [README]
# A valid release with a default and a debug variant (the debug one only
# when BUILD is link) and a small kit.
make_kernel() {
	local tree=$1 name=$2 version=$3 summary=$4 tags=$5 modes=$6 build=$7
	local readme=${8:-}
	local d="$tree/$name/$version" v variants="" t j_tags="" j_modes=""
	for t in $tags; do j_tags="$j_tags${j_tags:+,}\"$t\""; done
	for t in $modes; do j_modes="$j_modes${j_modes:+,}\"$t\""; done
	for v in default $( [ "$build" = link ] && echo debug ); do
		mkdir -p "$d/$v/kit/include"
		head -c $((4096 + ${#name} * 97)) /dev/urandom >"$d/$v/image"
		printf 'int %s_main(int argc, char **argv);\n' "$(echo "$name" | tr - _)" \
			>"$d/$v/kit/include/$name.h"
		variants="$variants${variants:+,}\"$v\":{\"config\":\"$( [ $v = default ] &&
			echo 'optimized, quiet log' || echo 'assertions, verbose log')\",
		  \"image\":{\"path\":\"$v/image\",\"format\":\"multiboot1\",
		  \"sha256\":\"$(sha256sum <"$d/$v/image" | cut -d' ' -f1)\",
		  \"size\":$(stat -c %s "$d/$v/image")},\"kit\":{\"path\":\"$v/kit\"}}"
	done
	if [ -n "$readme" ]; then
		printf '%s\n' "$readme" >"$d/README.md"
	else
		printf '# %s\n\n%s.\n\n## Usage\n\n```sh\ndiver init app %s\n```\n' \
			"$name" "$summary" "$name" >"$d/README.md"
	fi
	cat >"$d/kernel.json" <<JSON
{"name":"$name","version":"$version","summary":"$summary","license":"BSD-2-Clause",
 "homepage":"https://example.org/$name","authors":["Example Labs"],
 "tags":[$j_tags],"arch":"x86_64","modes":[$j_modes],"build":"$build",
 "toolchain":{"name":"gcc-i386","version":"12.2.0"},
 "interface":{"boot":"multiboot1","console":"framed-uart-1","log":"com2","exit":"isa-debug-exit"},
 "variants":{$variants}}
JSON
}

# site_fixture TREE: a small, realistic catalog.  For the query "hpc":
# hpc-lite matches by name, nautilus-rt by tag, reef-mpi by summary and
# coral by README only.
site_fixture() {
	local t=$1
	make_kernel "$t" hpc-lite 0.9.0 "A lean co-kernel for bulk-synchronous jobs" \
		"co-kernel lightweight" "vm splitvm hw" module
	make_kernel "$t" hpc-lite 1.0.0 "A lean co-kernel for bulk-synchronous jobs" \
		"co-kernel lightweight" "vm splitvm hw" module "# hpc-lite

A partitioned co-kernel that runs one MPI rank per core beside Linux, with
**no timer ticks** and huge pages by default.

## Deploying

\`\`\`sh
diver init app hpc-lite
diver dive -d hw app
\`\`\`

- forwards file and time calls to the Linux side
- pins every thread; no migration
- boot to app in under 40 ms"
	make_kernel "$t" nautilus-rt 2.1.0 "Real-time hybrid runtime for parallel loops" \
		"hpc hrt realtime smp" "vm splitvm" link
	make_kernel "$t" reef-mpi 0.3.0 "Library OS that runs MPI ranks of HPC jobs" \
		"library-os mpi" "vm" module
	make_kernel "$t" coral 0.2.0 "Tiny unikernel for network functions" \
		"unikernel network virtio" "vm" link "# coral

A tiny unikernel. Also used on hpc clusters as a packet filter."
	make_kernel "$t" kitten-lts 3.4.1 "Lightweight kernel for supercomputer compute nodes" \
		"lightweight numa smp" "vm hw" link
	make_kernel "$t" tide 1.0.0 "Event-driven executive for storage offload" \
		"storage nvme" "vm" module
	if [ -d "$SRC/kernels/pebble/0.1.0" ]; then
		mkdir -p "$t/pebble" && cp -a "$SRC/kernels/pebble/0.1.0" "$t/pebble/"
	fi
}
