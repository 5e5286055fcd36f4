#!/bin/sh
# The library's layers, lowest first. A file of src/<layer>/ includes only headers of its own
# layer or of a layer before it in LAYERS, always by folder ("data/data_impl.h"), and cl/'s
# files are compiled in the order of their layers (src/runtime/kernel_list.h). Exits 1 and
# names each file and line that breaks a rule; run from anywhere: tools/check_layers.sh [ROOT]
set -u
LAYERS="runtime host tensor data model train parallel"
root=${1:-$(dirname "$0")/..}
cd "$root" || exit 2
bad=0
includes=$(mktemp) || exit 2
trap 'rm -f "$includes"' EXIT

rank() { # prints the rank of layer $1, or nothing for a folder that is not a layer
    i=0
    for l in $LAYERS; do
        [ "$l" = "$1" ] && { echo $i; return; }
        i=$((i + 1))
    done
}

for dir in src/* cl/*; do
    [ -d "$dir" ] || { echo "$dir: a file outside the layers' folders"; bad=1; continue; }
    [ -n "$(rank "${dir#*/}")" ] || { echo "$dir: not a layer (LAYERS: $LAYERS)"; bad=1; }
done

for f in src/*/*.c src/*/*.h; do
    layer=$(basename "$(dirname "$f")")
    own=$(rank "$layer")
    [ -n "$own" ] || continue
    # "#include" lines of local headers, as "LINE HEADER"
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
        sed 's/^\([0-9]*\):[^"]*"\([^"]*\)".*/\1 \2/' > "$includes"
    while read -r line header; do
        case $header in
        clnum/*) continue ;; # the public headers, below every layer
        */*) ;;
        *) echo "$f:$line: \"$header\": include a header by its layer's folder"; bad=1; continue ;;
        esac
        to=$(rank "${header%%/*}")
        if [ -z "$to" ]; then
            echo "$f:$line: \"$header\": not a layer's header"; bad=1
        elif [ "$to" -gt "$own" ]; then
            echo "$f:$line: \"$header\": $layer includes ${header%%/*}, a layer above it"; bad=1
        fi
    done < "$includes"
done

# cl/: every file listed once, in the order of the layers
listed=$(sed -n 's/^ *CLNI_CL_FILE("\([^"]*\)").*/\1/p' src/runtime/kernel_list.h)
last=0
for f in $listed; do
    [ -f "cl/$f" ] || { echo "src/runtime/kernel_list.h: cl/$f does not exist"; bad=1; continue; }
    r=$(rank "${f%%/*}")
    if [ -n "$r" ] && [ "$r" -lt "$last" ]; then
        echo "src/runtime/kernel_list.h: cl/$f is compiled after a layer above it"; bad=1
    fi
    [ -n "$r" ] && last=$r
done
for f in cl/*/*.cl; do
    n=$(printf '%s\n' $listed | grep -cx "${f#cl/}")
    [ "$n" -eq 1 ] || { echo "$f: listed $n times in src/runtime/kernel_list.h, not once"; bad=1; }
done

[ $bad -eq 0 ] && echo "layers: every include and kernel file is in order ($LAYERS)"
exit $bad
