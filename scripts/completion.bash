# bash completion for diver, bundler and catalog-gen; `make install` puts
# it in $(BASHCOMPDIR) (one file per tool name, all the same).  The words
# come from the tools themselves: `TOOL --list-commands` and
# `TOOL CMD --list-options` (`catalog-gen --list-options`), so they never
# fall behind the code.
_diver_complete() {
	local tool=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} cmd words
	COMPREPLY=()
	if [ "$(basename "$tool")" = catalog-gen ]; then
		if [[ $cur == -* ]]; then
			words=$("$tool" --list-options 2>/dev/null)
			mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		fi
		return 0
	fi
	if [ "$COMP_CWORD" -eq 1 ]; then
		words="$("$tool" --list-commands 2>/dev/null) --help --version"
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		return 0
	fi
	cmd=${COMP_WORDS[1]}
	if [[ $cur == -* ]]; then
		words=$("$tool" "$cmd" --list-options 2>/dev/null)
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		return 0
	fi
	case "$tool $cmd" in
	*diver\ dive|*diver\ rm|*diver\ submit)
		# net ids, then files (app directories)
		words=$("$tool" list nets --json 2>/dev/null | sed -n 's/^ *"id": "\([0-9a-f]*\)".*/\1/p')
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		;;
	*diver\ source|*diver\ trust|*diver\ list|*diver\ config)
		if [ "$COMP_CWORD" -eq 2 ]; then
			case $cmd in
			source|trust) words="add list remove" ;;
			list) words="nets" ;;
			config) words="show get set unset" ;;
			esac
			mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		fi
		;;
	esac
	return 0
}
complete -o default -o bashdefault -F _diver_complete diver bundler catalog-gen
