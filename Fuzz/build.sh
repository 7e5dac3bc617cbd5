#!/usr/bin/env bash
# Builds the libFuzzer targets into .build-fuzz/ without SwiftPM (SwiftPM has no fuzzer support).
#
#   Fuzz/build.sh            # -O (set FUZZ_OPT=-Onone for a quicker, slower-running build)
#
# Catalog and Feeds are compiled as two static modules, instrumented for coverage and AddressSanitizer
# (`-sanitize=fuzzer,address` on a module without a main only instruments it); each entry point in
# Fuzz/entry/ is then linked against them with libFuzzer's main.
# Exits 2 when the toolchain cannot build with `-sanitize=fuzzer` (e.g. macOS's Xcode toolchain).
set -euo pipefail
cd "$(dirname "$0")/.."

out=.build-fuzz
opt=${FUZZ_OPT:--O}
sanitize=-sanitize=fuzzer,address
common=(-parse-as-library "$opt" -g "$sanitize" -swift-version 6
        -enable-upcoming-feature InternalImportsByDefault -I "$out")
libxml2_include=$(pkg-config --variable=includedir libxml-2.0 2>/dev/null || echo /usr/include)/libxml2
xml=(-I Sources/CLibXML2 -Xcc -I"$libxml2_include")
mkdir -p "$out"

# Does this toolchain ship libFuzzer? A one-line probe, so CI can skip cleanly where it does not.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
cat > "$probe/probe.swift" <<'SWIFT'
@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt { 0 }
SWIFT
if ! swiftc -parse-as-library -sanitize=fuzzer "$probe/probe.swift" -o "$probe/probe" >/dev/null 2>&1; then
    echo "Fuzz/build.sh: this toolchain cannot build with -sanitize=fuzzer" >&2
    exit 2
fi

library() {  # name, then sources and extra flags
    local name=$1; shift
    echo "building module $name"
    (cd "$out" && rm -rf "obj-$name" && mkdir "obj-$name")
    swiftc "${common[@]}" -module-name "$name" -emit-module -emit-module-path "$out/$name.swiftmodule" \
        -wmo -c -o "$out/obj-$name/$name.o" "$@"
    rm -f "$out/lib$name.a"
    ar rcs "$out/lib$name.a" "$out/obj-$name"/*.o
}

library Catalog Sources/Catalog/*.swift
library Feeds "${xml[@]}" $(find Sources/Feeds -name '*.swift' | sort)

targets=${FUZZ_TARGETS:-csv json xml money}
for target in $targets; do
    echo "linking fuzz-$target"
    swiftc "${common[@]}" "${xml[@]}" -module-name "Fuzz_$target" "Fuzz/entry/fuzz-$target.swift" \
        -use-ld=lld -L "$out" -lFeeds -lCatalog -lxml2 -o "$out/fuzz-$target"
done
echo "built: $(for t in $targets; do printf '%s ' "$out/fuzz-$t"; done)"
