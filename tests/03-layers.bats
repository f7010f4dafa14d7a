#!/usr/bin/env bats
# lib/common is carved in layers (Makefile LIB_DIRS): util, dns, stream,
# aws.  A file may include headers of its own folder and of the folders
# before it, never after: so no folder depends on a later one, and no
# include cycle can form between folders.  Inside the library no file
# includes a command's header (the arrow goes from cmd/ to lib/ only),
# and no two headers share a name (the -I order would pick one silently).

load test_helper

LAYERS="util dns stream aws"

# check_layers ROOT: prints each bad include as FILE: "HDR" (why); fails
# when there is one.
check_layers() {
	ROOT=$1 LAYERS=$LAYERS python3 - <<'EOF'
import os, re, sys
root, layers = os.environ["ROOT"], os.environ["LAYERS"].split()
lib = os.path.join(root, "lib", "common")
home = {}
bad = []
for rank, d in enumerate(layers):
    for f in sorted(os.listdir(os.path.join(lib, d))):
        if f.endswith(".h"):
            if f in home:
                bad.append("%s/%s: also in %s" % (d, f, layers[home[f]]))
            home[f] = rank
stray = [f for f in os.listdir(lib) if f.endswith((".c", ".h"))]
bad += ["lib/common/%s: outside the layer folders" % f for f in stray]
inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
for rank, d in enumerate(layers):
    for f in sorted(os.listdir(os.path.join(lib, d))):
        if not f.endswith((".c", ".h")):
            continue
        text = open(os.path.join(lib, d, f)).read()
        for h in inc.findall(text):
            if h not in home:
                bad.append('%s/%s: "%s" (not a library header)' % (d, f, h))
            elif home[h] > rank:
                bad.append('%s/%s: "%s" (a later layer: %s)'
                           % (d, f, h, layers[home[h]]))
for line in bad:
    print(line)
sys.exit(1 if bad else 0)
EOF
}

@test "layers: lib/common includes only its own and earlier layers" {
	run check_layers "$TOP_DIR"
	assert_success
	assert_output ""
}

@test "layers: an include of a later layer or of a command is caught" {
	T=$(mktemp -d)
	cp -r "$TOP_DIR/lib" "$T/"
	run check_layers "$T"
	assert_success
	printf '#include "awshttp.h"\n' >>"$T/lib/common/dns/names.c"
	printf '#include "zxfr.h"\n' >>"$T/lib/common/util/log.c"
	cp "$T/lib/common/util/log.h" "$T/lib/common/aws/log.h"
	run check_layers "$T"
	assert_failure
	assert_line --partial 'dns/names.c: "awshttp.h" (a later layer: aws)'
	assert_line --partial 'util/log.c: "zxfr.h" (not a library header)'
	assert_line --partial 'aws/log.h: also in util'
	rm -rf "$T"
}
