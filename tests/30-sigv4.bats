#!/usr/bin/env bats
# SigV4 (lib/common/aws/sigv4.c) against the two vendored AWS test suites and
# against botocore itself (Debian's python3-botocore, /usr/bin/python3).
# See tests/fixtures/sigv4/README for the suites and the skips.

load test_helper

setup() {
	export AWS_ACCESS_KEY_ID=AKIDEXAMPLE
	export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
	unset AWS_SESSION_TOKEN
	BOTO="$FIXTURES/sigv4/botocore-aws4_testsuite"
	CRT="$FIXTURES/sigv4/aws-c-auth-v4"
}

# same_bytes LABEL EXPECTED-FILE COMMAND...: run COMMAND, compare its
# stdout byte for byte with the file.
same_bytes() {
	local label=$1 want=$2
	shift 2
	"$@" >"$T/got" 2>"$T/err" || { cat "$T/err" >&2; echo "$label: failed" >&2; return 1; }
	if ! cmp -s "$T/got" "$want"; then
		echo "$label: differs from $want" >&2
		diff "$want" "$T/got" >&2 || true
		return 1
	fi
}

# The botocore suite: every case, including the four botocore's own test
# runner skips (get-space and get-vanilla-query-order-{key-case,key,value}:
# botocore skips them for its own URL handling; our canonicaliser passes
# them).  The session-token case uses the token botocore's runner uses.
@test "sigv4: botocore aws4_testsuite, all cases: creq, sts, authz" {
	local n=0 req dir name opts
	export VTOKEN=6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267
	while IFS= read -r req; do
		dir=$(dirname "$req")
		name=$(basename "$req" .req)
		opts=()
		[ "$name" = get-vanilla-with-session-token ] && opts=(--token-env VTOKEN)
		for w in creq sts authz; do
			same_bytes "$name.$w" "$dir/$name.$w" \
				sigv4_test "$w" "$req" "${opts[@]}"
		done
		n=$((n + 1))
	done < <(find "$BOTO" -name '*.req' | sort)
	[ "$n" -eq 34 ]
}

# aws-c-auth suite: context.json gives normalize, sign_body, token and
# omit_session_token; header-* files are the expected results.  The
# query-* (presigned URL) files are not used: we only sign headers.
@test "sigv4: aws-c-auth v4 suite, all 38 cases: creq, sts, signature, request" {
	local n=0 dir name norm sb tok omit opts
	for dir in "$CRT"/*/; do
		dir=${dir%/}
		name=$(basename "$dir")
		read -r norm sb omit tok < <(jq -r '[(.normalize, .sign_body,
		    .omit_session_token | if . == true then 1 else 0 end),
		    .credentials.token // "-"] | join(" ")' "$dir/context.json")
		opts=(--date 20150830T123600Z)
		[ "$norm" = 0 ] && opts+=(--no-normalize)
		[ "$sb" = 1 ] && opts+=(--sign-body)
		export VTOKEN=$tok
		[ "$tok" != - ] && opts+=(--token-env VTOKEN)
		[ "$omit" = 1 ] && opts+=(--token-unsigned)
		same_bytes "$name creq" "$dir/header-canonical-request.txt" \
			sigv4_test creq "$dir/request.txt" "${opts[@]}"
		same_bytes "$name sts" "$dir/header-string-to-sign.txt" \
			sigv4_test sts "$dir/request.txt" "${opts[@]}"
		sigv4_test authz "$dir/request.txt" "${opts[@]}" >"$T/authz"
		[ "$(sed 's/.*Signature=//' "$T/authz")" = "$(cat "$dir/header-signature.txt")" ]
		grep -qxF "Authorization:$(cat "$T/authz")" "$dir/header-signed-request.txt"
		n=$((n + 1))
	done
	[ "$n" -eq 38 ]
}

@test "sigv4: a wrong secret gives a different signature (the check can fail)" {
	local req=$BOTO/get-vanilla/get-vanilla.req
	AWS_SECRET_ACCESS_KEY=wrong run sigv4_test authz "$req"
	assert_success
	[ "$output" != "$(cat "$BOTO/get-vanilla/get-vanilla.authz")" ]
}

@test "sigv4: Route 53 requests signed like botocore, byte for byte" {
	[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import botocore' ||
		fail "Debian python3-botocore is needed (scripts/deps.sh)"
	local f d i=0 n=0
	# botocore's answers for every request, date and token at once: one
	# python3 start instead of twelve (importing botocore is most of it).
	/usr/bin/python3 - "$TOP_DIR/tests/fakeaws" "$T" "$FIXTURES"/aws/r53-*.req <<'PY'
import contextlib, io, os, sys
sys.path.insert(0, sys.argv[1])
import botosign
outdir, reqs = sys.argv[2], sys.argv[3:]
for i, f in enumerate(reqs):
    for d in ("20150830T123600Z", "20261126T235959Z"):
        for what, tok, out in (("creq", None, "creq"), ("authz", None, "authz"),
                               ("authz", "FwoGZXIvYXdzE+/token==", "authz-token")):
            if tok:
                os.environ["AWS_SESSION_TOKEN"] = tok
            else:
                os.environ.pop("AWS_SESSION_TOKEN", None)
            sys.argv = ["botosign.py", what, f, "--service", "route53",
                        "--date", d]
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                botosign.main()
            with open("%s/boto.%d.%s.%s" % (outdir, i, d, out), "w") as fh:
                fh.write(buf.getvalue())
PY
	for f in "$FIXTURES"/aws/r53-*.req; do
		for d in 20150830T123600Z 20261126T235959Z; do
			same_bytes "$f creq" "$T/boto.$i.$d.creq" \
				sigv4_test creq "$f" --service route53 --date "$d"
			same_bytes "$f authz" "$T/boto.$i.$d.authz" \
				sigv4_test authz "$f" --service route53 --date "$d"
			# With a session token (signed, as botocore does).
			VTOKEN='FwoGZXIvYXdzE+/token==' same_bytes "$f authz+token" \
				"$T/boto.$i.$d.authz-token" sigv4_test authz "$f" \
				--service route53 --date "$d" --token-env VTOKEN
			n=$((n + 1))
		done
		i=$((i + 1))
	done
	[ "$n" -ge 4 ]
}
