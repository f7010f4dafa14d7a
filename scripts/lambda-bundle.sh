#!/bin/bash
# lambda-bundle.sh: build the AWS Lambda zip (provided.al2023, x86_64):
#   scripts/lambda-bundle.sh BUILD-DIR OUT.zip       (make lambda)
#
# The zip holds lambda/bootstrap, scripts/mirror.sh, the four commands,
# bash, curl, jq and the coreutils-like tools mirror.sh calls, and every
# shared library they load (from ldd), with glibc's own loader.  Each ELF
# program gets the bundled loader as its interpreter and /var/task/lib as
# its RPATH (patchelf): Lambda always unpacks a function's zip at
# /var/task, so the programs run there exactly as built on Debian 12,
# whatever libraries (or glibc) the runtime's system has.  DT_RPATH, not
# RUNPATH, because RPATH also applies to the libraries' own dependencies.
set -euo pipefail

BUILD=${1:?usage: lambda-bundle.sh BUILD-DIR OUT.zip}
OUT=${2:?usage: lambda-bundle.sh BUILD-DIR OUT.zip}
TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TASK=/var/task
LOADER=/lib64/ld-linux-x86-64.so.2

# The system programs the bundle needs: bootstrap (bash, curl, jq, date,
# mktemp, cat, rm, sleep) and mirror.sh (checked by tests/84-lambda.bats:
# every command mirror.sh runs must be here).
TOOLS="bash curl jq awk basename cat chmod cp cut date dirname env find
flock grep head id ln mkdir mktemp mv rm sed sha256sum sleep sort sync tail
timeout tr wc"

for t in patchelf zip ldd; do
	command -v "$t" >/dev/null || { echo "lambda-bundle.sh: $t not found (scripts/deps.sh)" >&2; exit 2; }
done
[ "$(uname -m)" = x86_64 ] || { echo "lambda-bundle.sh: builds x86_64 only" >&2; exit 2; }

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/r53m-lambda.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/bin" "$STAGE/lib" "$STAGE/etc/ssl"

# add_elf SRC NAME: copy a program into bin/ and its libraries into lib/.
add_elf() {
	local src=$1 name=$2 lib
	cp -L "$src" "$STAGE/bin/$name"
	chmod 0755 "$STAGE/bin/$name"
	# ldd prints "libx.so.N => /path (0x...)"; the loader and vdso differ.
	while read -r lib; do
		[ -e "$STAGE/lib/${lib##*/}" ] || cp -L "$lib" "$STAGE/lib/"
	done < <(ldd "$src" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }')
}

for p in zxfr r53dump rrdiff r53apply; do
	[ -x "$BUILD/$p" ] || { echo "lambda-bundle.sh: $BUILD/$p not built" >&2; exit 2; }
	add_elf "$BUILD/$p" "$p"
done
for t in $TOOLS; do
	add_elf "$(command -v "$t")" "$t"
done
cp -L "$LOADER" "$STAGE/lib/ld-linux-x86-64.so.2"
chmod 0755 "$STAGE/lib/"*
for f in "$STAGE/bin/"*; do
	patchelf --set-interpreter "$TASK/lib/ld-linux-x86-64.so.2" \
		--force-rpath --set-rpath "$TASK/lib" "$f"
done
# A library with its own RUNPATH would not see the programs' RPATH.
for f in "$STAGE/lib/"*.so*; do
	[ "${f##*/}" != ld-linux-x86-64.so.2 ] || continue
	[ -z "$(patchelf --print-rpath "$f")" ] || patchelf --remove-rpath "$f"
done

# mirror.sh runs on the bundled bash: there is no /bin/bash on Lambda.
sed '1s|^#!/bin/bash$|#!/var/task/bin/bash|' "$TOP/scripts/mirror.sh" >"$STAGE/bin/mirror.sh"
chmod 0755 "$STAGE/bin/mirror.sh"
install -m 0755 "$TOP/lambda/bootstrap" "$STAGE/bootstrap"
# Debian's libcurl looks for /etc/ssl/certs/ca-certificates.crt, which
# Amazon Linux does not have: bootstrap points AWS_CA_BUNDLE here.
install -m 0644 /etc/ssl/certs/ca-certificates.crt "$STAGE/etc/ssl/ca-certificates.crt"
install -m 0644 "$TOP/LICENSE" "$STAGE/LICENSE"

mkdir -p "$(dirname "$OUT")"
rm -f "$OUT"
OUT_ABS="$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")"
# -X: no extra attributes; -y: keep symlinks (there are none); sorted
# names so that two builds of one tree differ only in timestamps.
(cd "$STAGE" && find . -type f | sort | zip -q -X -@ "$OUT_ABS")
echo "lambda-bundle.sh: $OUT ($(du -k "$OUT" | cut -f1) KiB, $(find "$STAGE" -type f | wc -l) files)"
