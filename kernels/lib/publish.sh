# kernels/lib/publish.sh — what the demo kernels' publisher scripts share;
# sourced by kernels/NAME/publish.sh, which defines kernel_json and calls:
#
#     publish_begin NAME "$@"       # VERSION KERNELS_DIR; sets version, dest,
#                                   # stage (the release being made), build
#     build_variant VARIANT         # make -C src, image and kit into $stage
#     variant_json VARIANT CONFIG   # the variant's entry for kernel.json
#     publish_end                   # kernel.json, README.md, one rename
#
# The contract (docs/kernel-interface.md §5, the publisher script): the
# release appears by one rename at the end, an existing version is
# refused, a failure leaves nothing.  CC overrides the compiler.
set -euo pipefail

die() {
	echo "publish.sh: $*" >&2
	exit 1
}

publish_begin() {
	local semver='^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$'
	name=$1
	shift
	[ $# -eq 2 ] || { echo "usage: publish.sh VERSION KERNELS_DIR" >&2; exit 2; }
	version=$1
	kernels=$2
	[[ $version =~ $semver ]] || die "version '$version': expected a semantic version like 1.2.0"
	[ -d "$kernels" ] || die "kernels directory '$kernels' does not exist"
	dest="$kernels/$name/$version"
	[ ! -e "$dest" ] || die "'$dest' exists: releases are immutable, publish a new version instead"
	export LC_ALL=C
	CC=${CC:-gcc}
	command -v "$CC" >/dev/null || die "compiler '$CC' not found (on Debian: apt-get install gcc-multilib)"
	mkdir -p "$kernels/$name"
	stage=$(mktemp -d "$kernels/$name/.publish-$version.XXXXXX")
	build=$(mktemp -d "${TMPDIR:-/tmp}/$name-build.XXXXXX")
	trap 'rm -rf "$stage" "$build"' EXIT
}

# build_variant VARIANT: image and kit into the staged release
build_variant() {
	local v=$1
	make -s -C "$here/src" VARIANT="$v" VERSION="$version" BUILD="$build/$v" CC="$CC" >/dev/null ||
		die "building variant '$v' failed; see the compiler's messages above"
	mkdir "$stage/$v"
	cp "$build/$v/image" "$stage/$v/image"
	cp -R "$build/$v/kit" "$stage/$v/kit"
}

# variant_json VARIANT CONFIG: the variant's entry in kernel.json
variant_json() {
	local image="$stage/$1/image"
	printf '    "%s": {\n' "$1"
	printf '      "config": "%s",\n' "$2"
	printf '      "image": {"path": "%s/image", "format": "multiboot1", "sha256": "%s", "size": %s},\n' \
		"$1" "$(sha256sum "$image" | cut -d' ' -f1)" "$(stat -c %s "$image")"
	printf '      "kit": {"path": "%s/kit"}\n' "$1"
	printf '    }'
}

publish_end() {
	kernel_json >"$stage/kernel.json"
	sed "s/@VERSION@/$version/g" "$here/README.md.in" >"$stage/README.md"
	# mktemp made the directory private; a release is world-readable
	chmod -R u=rwX,go=rX "$stage"
	[ ! -e "$dest" ] || die "'$dest' appeared while building: releases are immutable"
	mv -T "$stage" "$dest"
	trap - EXIT
	rm -rf "$build"
	echo "published $name $version in $dest"
}
