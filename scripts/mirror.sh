#!/bin/bash
# mirror.sh: keep an Amazon Route 53 hosted zone an exact mirror of a zone
# served by an authoritative DNS server, for one zone or for every zone of a
# config file.  Installed as r53mirror; manual: man/mirror.sh.8.
#
#   mirror.sh [options] ZONE SERVER HOSTED-ZONE-ID
#   mirror.sh [options] --private [--vpc-id VPC] | --public  ZONE SERVER
#   mirror.sh [options] --all CONFIG [-j N] [ZONE ...]
#   mirror.sh --list CONFIG          (zone names, for examples/zones.mk)
#   mirror.sh --iam-policy CONFIG    (least-privilege IAM policy JSON)
#   mirror.sh --check-config CONFIG
#   mirror.sh [options] --watch CONFIG --listen ADDR:PORT [--interval S]
#
# One run: a cheap probe first (zxfr --serial: one DNS query; then
# r53dump --serial: one API request) against the serial this script last
# wrote, kept in the zone's state folder; when nothing changed it stops
# there.  Otherwise, or when a full compare is due, it runs
#     zxfr -o source.rrset; r53dump -o route53.rrset;
#     rrdiff -o changes source.rrset route53.rrset; r53apply changes
# through files in a per-run folder (kept, rotated), checking each stage's
# own exit status, so nothing ever acts on a truncated upstream.
#
# Exit statuses: 0-7 as format/SPEC.md section 6 (passed on from the stage
# that failed); 10 lock busy, 11 source stale, 12 drift found in Route 53,
# 13 watchdog timeout.  See usage() and the manual.

set -u
set -o pipefail
umask 077
export LC_ALL=C
# rm and mkdir as bash's loadable builtins when Debian's bash-builtins is
# installed: a run calls them about ten times, each otherwise a process
# start (fork and exec, some 5 ms of CPU).  The options used here (-f,
# -r, --) behave as coreutils' do; -p does only through mkdir_p below.
# (ln's loadable has no -n.)
for _b in rm mkdir; do
	[ -r "/usr/lib/bash/$_b" ] && enable -f "/usr/lib/bash/$_b" "$_b" 2>/dev/null
done
unset _b

# mkdir_p DIR: mkdir -p, safe when runs race (--all -j N, cron and
# --watch at once): the loadable mkdir -p fails "File exists" when
# another run creates a folder of the path between its check and its
# mkdir (coreutils' takes that as done).  The second try finds it there.
mkdir_p() {
	mkdir -p -- "$1" 2>/dev/null || [ -d "$1" ] || mkdir -p -- "$1"
}

MIRROR_VERSION=0.1.0
SELF="${BASH_SOURCE[0]}"
# dirname and basename by expansion: every run (and every zone of --all)
# pays for each process it starts.
case $SELF in
*/*) SELF_DIR=${SELF%/*} ;;
*) SELF_DIR=. ;;
esac
SELF_DIR="$(cd "${SELF_DIR:-/}" && pwd)"
SELF="$SELF_DIR/${SELF##*/}"
PROG=${SELF##*/}	# mirror.sh, or r53mirror once installed

# Exit statuses: 0-7 are lib/common/util/exitcodes.h; 10+ are this script's.
readonly EX_OK=0 EX_BADINPUT=2 EX_USAGE=3 EX_REFUSED=4
readonly EX_PARTIAL=7
readonly EX_LOCKED=10 EX_STALE=11 EX_DRIFT=12 EX_TIMEOUT=13

# ---------------------------------------------------------------- options

# The option table, git style: the parser (parse_opts), the usage text
# (usage) and, checked by tests/02-usage-man.bats, the manual all follow
# it.  One row an option, fields separated by "|":
#   NAMES  -x,--long: every spelling (the last one names it in messages)
#   ARG    the value's name in the usage text, or - (no value)
#   SCOPE  cmd:  command line only, not handed to --all's zone runs
#          run:  command line only, handed to each zone run of --all
#          zone: also allowed in a zone line of a config file
#   CHECK  how the value is checked and stored (opt_store)
#   VAR    the variable it sets (for CHECK mode: the mode)
#   HELP   the usage text
# Other rows: "=TEXT" a heading, "+TEXT" more help for the row above,
# ".TEXT" a line of its own.  Read into OPT_TABLE by the shell itself
# (no cat: every run parses its options from it).
IFS= read -r -d '' OPT_TABLE <<'TABLE'
=Source (as zxfr):
-p|PORT|run|port|opt_port|DNS server port (default 53); SERVER may be ADDR:PORT, a name, or primaries A,B
-k|KEYFILE|run|str|opt_key|TSIG key file (BIND/tsig-keygen format)
--tsig-secret-id|ID|zone|secret|opt_secret_id|or the key text from this AWS Secrets Manager secret
+(zxfr fetches it; it never reaches argv or a file)
=Hosted zone (as r53dump/r53apply):
.HOSTED-ZONE-ID        Z...; or find it by ZONE's name:
--private|-|run|flag|opt_private|a private hosted zone ...
--vpc-id|VPC|run|str|opt_vpc|... associated with this VPC
--public|-|run|flag|opt_public|the public hosted zone
--endpoint-url|URL|zone|str|opt_endpoint|Route 53 endpoint (else AWS_ENDPOINT_URL_ROUTE_53)
--profile|NAME|zone|profile|opt_profile|AWS profile (also in a zone line: one config, many
+accounts; each profile has its own request budget)
=Passed to rrdiff:
--ignore-ttl|-|zone|flag|opt_ignore_ttl|compare without TTLs
--types|LIST|zone|types|opt_types|compare only these types (e.g. A,AAAA,MX)
--ignore|PATTERN|zone|ignore|opt_ignore|leave these names alone in Route 53 and the source:
+NAME or *.NAME (every name below); relative to the zone
+unless it ends with "."; @ the apex; repeatable
=Passed to r53apply:
--max-delete-pct|P|zone|pct|opt_max_delete_pct|refuse more deletes than P% of existing (30)
--max-update-pct|P|zone|pct|opt_max_update_pct|refuse more updates than P% of existing (30)
--min-existing|N|zone|uint|opt_min_existing|thresholds apply from N RRsets on (10)
--force|-|zone|flag|opt_force|override the thresholds and the serial checks
--adopt|-|zone|flag|opt_adopt|take over an unmarked zone holding records
-n,--dry-run|-|zone|flag|opt_dry_run|print the plan, send nothing, keep no state
--wait|-|zone|flag|opt_wait|poll GetChange until INSYNC
=Mirror:
--state-dir|DIR|run|str|opt_state_dir|state folder (default $STATE_DIRECTORY,
+/var/lib/r53mirror as root, else ~/.local/state/r53mirror)
--full-every|S|zone|uint|opt_full_every|full compare at least every S seconds (default 3600)
--full|-|zone|flag|opt_full|full compare now
--stale-after|S|zone|uint|opt_stale_after|exit 11 when the source has failed for S s (3600; 0 off)
--timeout|S|zone|uint1|opt_timeout|watchdog for the whole run (default 900)
--lock-wait|S|zone|uint|opt_lock_wait|wait S s for another run of the same zone (default 5)
--keep|N|zone|uint1|opt_keep|keep the last N run folders that changed Route 53,
+and the last N others (default 10)
--syslog|-|run|flag|opt_syslog|summary line to syslog (logger) instead of stdout
-j,--jobs|N|cmd|uint1|opt_jobs|zones run at once with --all or --watch (default 4)
-v,--verbose|-|run|count|opt_verbose|show every stage's messages
--progress|-|run|flag|opt_progress|one updating line per stage on standard error
+(the default when it is a terminal and one zone runs)
--json|-|run|flag|opt_json|summary lines (and --status) as JSON, one object a line
--metrics-file|FILE|cmd|str|opt_metrics_file|with --all or --status: Prometheus metrics to FILE
=Modes (one CONFIG file; see the manual):
--all|CONFIG|cmd|mode|all|run every zone of CONFIG (or the ZONEs named)
--list|CONFIG|cmd|mode|list|print CONFIG's zone names
--iam-policy|CONFIG|cmd|mode|iam-policy|print a least-privilege IAM policy (JSON)
--check-config|CONFIG|cmd|mode|check-config|check CONFIG and its key files
--status|CONFIG|cmd|mode|status|each zone's last runs, from its state folder
--watch|CONFIG|cmd|mode|watch|follow NOTIFY: run a zone of CONFIG when its primary
+says it changed, and every zone each --interval
--listen|ADDR:PORT|cmd|str|opt_listen|with --watch: where NOTIFYs arrive (UDP and TCP)
--interval|S|cmd|uint1|opt_interval|with --watch: run every zone at least every S s (900)
-h,--help|-|cmd|help|-|this text
-V,--version|-|cmd|version|-|the version
TABLE

# Loaded from the table: for each spelling, its row's fields.
declare -A OPT_ARG=() OPT_SCOPE=() OPT_CHECK=() OPT_VAR=() OPT_NAME=()
load_opt_table() {
	local names arg scope check var help n
	while IFS='|' read -r names arg scope check var help; do
		case $names in
		[=+.]*) continue ;;
		esac
		for n in ${names//,/ }; do
			OPT_ARG[$n]=$arg OPT_SCOPE[$n]=$scope OPT_CHECK[$n]=$check
			OPT_VAR[$n]=$var OPT_NAME[$n]=${names##*,}
		done
	done <<<"${OPT_TABLE%$'\n'}"
}

usage() {
	local names arg scope check var help left
	# the name it was run by: r53mirror once installed
	cat <<EOF
usage: $PROG [options] ZONE SERVER HOSTED-ZONE-ID
       $PROG [options] (--private [--vpc-id VPC] | --public) ZONE SERVER
       $PROG [options] --all CONFIG [-j N] [ZONE ...]
       $PROG [options] --watch CONFIG --listen ADDR:PORT [--interval S]
       $PROG (--list | --iam-policy | --check-config) CONFIG
       $PROG --status CONFIG [--json] [--metrics-file FILE] [ZONE ...]
EOF
	while IFS='|' read -r names arg scope check var help; do
		case $names in
		=*) printf '%s\n' "${names#=}" ;;
		+*) printf '  %-21s %s\n' "" "${names#+}" ;;
		.*) printf '  %s\n' "${names#.}" ;;
		*)
			left=${names//,/, }
			[ "$arg" = - ] || left+=" $arg"
			printf '  %-21s %s\n' "$left" "$help" ;;
		esac
	done <<<"${OPT_TABLE%$'\n'}"
	cat <<'EOF'
Exit: 0 ok, 1 applied with skipped RRsets, 2 bad input/internal, 3 usage or
config, 4 refused by a safety check, 5 remote failure, 6 verification,
7 partial apply, 10 lock busy, 11 source stale, 12 drift repaired (or found
with --dry-run), 13 watchdog timeout, 130 or 143 interrupted.
EOF
}

# msg TEXT: to standard error; the last one is kept for the status file.
LAST_MSG=""
msg() { LAST_MSG="$*"; printf '%s: %s\n' "$PROG" "$*" >&2; }
vmsg() { if [ "$opt_verbose" -gt 0 ]; then msg "$@"; fi; }
die_usage() { msg "$*"; printf 'Try: %s --help\n' "$PROG" >&2; exit "$EX_USAGE"; }

is_uint() { [[ $1 =~ ^[0-9]+$ ]] && [ "${#1}" -le 10 ]; }

opt_port=""
opt_key=""
opt_secret_id=""
opt_state_dir=""
opt_endpoint=""
opt_profile=""
opt_private=0
opt_public=0
opt_vpc=""
opt_ignore_ttl=0
opt_types=""
opt_ignore=""	# --ignore patterns, space-separated
opt_max_delete_pct=""
opt_max_update_pct=""
opt_min_existing=""
opt_force=0
opt_adopt=0
opt_dry_run=0
opt_wait=0
opt_full=0
opt_full_every=3600
opt_stale_after=3600
opt_timeout=900
opt_lock_wait=5
opt_keep=10
opt_syslog=0
opt_verbose=0
opt_progress=0
opt_json=0
opt_metrics_file=""
opt_jobs=4
opt_listen=""
opt_interval=900
mode=one
mode_config=""
ARGS=()
PASS=()		# options to hand to each zone's run with --all

# opt_store NAME CHECK VAR VALUE: check VALUE as the table says and
# store it; 1 with ERR set when it is bad.
opt_store() {
	local name=$1 check=$2 var=$3 val=$4
	case $check in
	flag) val=1 ;;
	count) val=$((${!var} + 1)) ;;
	str) ;;
	port)
		if ! is_uint "$val" || [ "$val" -lt 1 ] || [ "$val" -gt 65535 ]; then
			ERR="bad port '$val'"
			return 1
		fi ;;
	uint | uint1)
		if ! is_uint "$val"; then
			ERR="$name needs a whole number, not '$val'"
			return 1
		fi
		if [ "$check" = uint1 ] && [ "$val" -lt 1 ]; then
			ERR="$name must be at least 1"
			return 1
		fi ;;
	pct)
		if ! is_uint "$val" || [ "$val" -gt 100 ]; then
			ERR="$name needs a percentage 0..100, not '$val'"
			return 1
		fi ;;
	secret)
		# Secrets Manager's own limits: a name or an ARN.
		if ! [[ $val =~ ^[A-Za-z0-9/_+=.@:-]{1,2048}$ ]]; then
			ERR="bad $name '$val' (a secret name or ARN)"
			return 1
		fi ;;
	profile)
		# An AWS profile name: it also names the request budget.
		if ! [[ $val =~ ^[A-Za-z0-9_.@+-]{1,64}$ ]]; then
			ERR="bad profile name '$val'"
			return 1
		fi ;;
	types)
		if ! [[ $val =~ ^[A-Za-z0-9]+(,[A-Za-z0-9]+)*$ ]]; then
			ERR="bad type list '$val' (e.g. A,AAAA,MX)"
			return 1
		fi ;;
	ignore)
		# rrdiff --ignore's patterns (man/rrdiff.1), repeatable.
		local lbl='[A-Za-z0-9_/-]{1,63}'
		if ! [[ $val =~ ^(@|\*|(\*\.)?$lbl(\.$lbl)*\.?)$ ]] || [ "${#val}" -gt 253 ]; then
			ERR="bad $name pattern '$val' (NAME, *.NAME or @)"
			return 1
		fi
		val=${!var:+${!var} }$val ;;
	mode)
		if [ "$mode" != one ]; then
			ERR="only one of --all, --watch, --list, --iam-policy, --check-config, --status"
			return 1
		fi
		mode=$var mode_config=$val
		return 0 ;;
	help) usage; exit "$EX_OK" ;;
	version) printf '%s %s\n' "$PROG" "$MIRROR_VERSION"; exit "$EX_OK" ;;
	esac
	printf -v "$var" '%s' "$val"
}

# parse_opts CONTEXT ARG...: set opt_* from the arguments (option table
# above); positional arguments go to ARGS.  CONTEXT "cli" allows every
# option; "config" only the table's "zone" ones, and no positional
# arguments.  On error sets ERR and returns 1 (the caller says where).
parse_opts() {
	local ctx=$1 a name val has_val
	shift
	ERR=""
	[ "${#OPT_ARG[@]}" -gt 0 ] || load_opt_table
	while [ $# -gt 0 ]; do
		a=$1
		shift
		name=$a val="" has_val=0
		if [[ $a == --*=* ]]; then
			name=${a%%=*} val=${a#*=} has_val=1
		elif [[ $a =~ ^(-[a-zA-Z])(.+)$ && ${OPT_ARG[${BASH_REMATCH[1]}]:--} != - ]]; then
			# getopt style: -p5300, -j4, -kFILE
			name=${BASH_REMATCH[1]} val=${BASH_REMATCH[2]} has_val=1
		fi
		if [ "$name" = -- ]; then
			ARGS+=("$@")
			return 0
		elif [[ $name != -?* ]]; then
			if [ "$ctx" = config ]; then
				ERR="unexpected word '$a' (options only after the hosted zone)"
				return 1
			fi
			ARGS+=("$a")
			continue
		elif [ -z "${OPT_ARG[$name]:-}" ]; then
			ERR="unknown option $name"
			return 1
		fi
		if [ "${OPT_ARG[$name]}" != - ]; then
			if [ "$has_val" -eq 0 ]; then
				if [ $# -eq 0 ]; then
					ERR="option $name needs a value"
					return 1
				fi
				val=$1
				shift
			fi
			if [ -z "$val" ]; then
				ERR="option $name needs a non-empty value"
				return 1
			fi
		elif [ "$has_val" -eq 1 ]; then
			ERR="option $name takes no value"
			return 1
		fi
		if [ "$ctx" = config ] && [ "${OPT_SCOPE[$name]}" != zone ]; then
			ERR="option $name is not allowed in a zone line"
			return 1
		fi
		opt_store "${OPT_NAME[$name]}" "${OPT_CHECK[$name]}" "${OPT_VAR[$name]}" "$val" ||
			return 1
		# Remember what a zone's run inherits with --all.
		if [ "${OPT_SCOPE[$name]}" = cmd ]; then
			:
		elif [ "$has_val" -eq 1 ] || [ "${OPT_ARG[$name]}" = - ]; then
			PASS+=("$a")
		else
			PASS+=("$name" "$val")
		fi
	done
	return 0
}

# --------------------------------------------------------------- helpers

# norm_zone NAME: REPLY=NAME lower case, absolute.  The helpers here
# that compute a word set REPLY instead of printing it: $(...) is a fork,
# and a run calls them dozens of times.
norm_zone() {
	REPLY=${1,,}
	case $REPLY in
	*.) ;;
	*) REPLY="$REPLY." ;;
	esac
}

valid_zone() {
	[[ $1 =~ ^[A-Za-z0-9_/-]+(\.[A-Za-z0-9_/-]+)*\.?$ ]] && [ "${#1}" -le 254 ]
}

valid_zone_id() { [[ $1 =~ ^(/hostedzone/)?Z[A-Z0-9]{1,32}$ ]]; }
# A config line's hosted zone: an id, public, private or private:VPC.
valid_hz_spec() {
	valid_zone_id "$1" || [[ $1 =~ ^(public|private(:vpc-[A-Za-z0-9]{1,32})?)$ ]]
}
valid_vpc() { [[ $1 =~ ^vpc-[A-Za-z0-9]{1,32}$ ]]; }

# split_server TEXT: sets srv_addr and srv_port ("" when not given).
# ADDR, ADDR:PORT (IPv4 or a name), [IPv6], [IPv6]:PORT, bare IPv6; or
# several primaries separated by commas, each checked and the whole
# passed to zxfr as it is (srv_port "": zxfr reads each one's port).
split_server() {
	local s=$1 e
	local -a list
	if [[ $s == *,* ]]; then
		[[ $s =~ ^[^,]+(,[^,]+)+$ ]] || return 1
		IFS=, read -r -a list <<<"$s"
		for e in "${list[@]}"; do
			split_server "$e" || return 1
		done
		srv_addr=$s
		srv_port=""
		return 0
	fi
	srv_addr=$s
	srv_port=""
	if [[ $s =~ ^\[([0-9A-Fa-f:.]+)\](:([0-9]+))?$ ]]; then
		srv_addr=${BASH_REMATCH[1]}
		srv_port=${BASH_REMATCH[3]}
	elif [[ $s =~ ^([^:]+):([0-9]+)$ ]]; then
		srv_addr=${BASH_REMATCH[1]}
		srv_port=${BASH_REMATCH[2]}
	elif [[ $s =~ ^[^:]+$ || $s =~ ^[0-9A-Fa-f:.]+$ ]]; then
		:
	else
		return 1
	fi
	[[ $srv_addr =~ ^[A-Za-z0-9:._-]+$ ]] || return 1
	if [ -n "$srv_port" ]; then
		is_uint "$srv_port" && [ "$srv_port" -ge 1 ] && [ "$srv_port" -le 65535 ] || return 1
	fi
	return 0
}

# find_tool NAME: REPLY=the command to run.  R53M_BIN first (tests,
# packaging), then PATH, then the build folder next to this script.
find_tool() {
	local name=$1 p
	REPLY=
	if [ -n "${R53M_BIN:-}" ]; then
		REPLY="$R53M_BIN/$name"
		return 0
	fi
	if p=$(command -v "$name" 2>/dev/null) && [ -n "$p" ]; then
		REPLY=$p
		return 0
	fi
	for p in "$SELF_DIR/../build/$name" "$SELF_DIR/$name"; do
		if [ -x "$p" ]; then
			REPLY=$p
			return 0
		fi
	done
	return 1
}

default_state_dir() {
	if [ -n "${STATE_DIRECTORY:-}" ]; then
		printf '%s' "${STATE_DIRECTORY%%:*}"
	elif [ "$(id -u)" -eq 0 ]; then
		printf '/var/lib/r53mirror'
	else
		printf '%s/r53mirror' "${XDG_STATE_HOME:-$HOME/.local/state}"
	fi
}

# zone_key ZONE HZSPEC: REPLY=the state folder name of one hosted zone:
# its id, or its name and visibility.  Only [A-Za-z0-9._-] survive.
zone_key() {
	local k
	if [ -n "$hz_id" ]; then
		k="id-${hz_id#/hostedzone/}"
	elif [ "$opt_private" -eq 1 ]; then
		k="name-${1%.}-private${opt_vpc:+-$opt_vpc}"
	else
		k="name-${1%.}-public"
	fi
	REPLY=${k//[^A-Za-z0-9._-]/_}
}

# --------------------------------------------------------------- config

# Parsed config: parallel arrays, one element per zone line, bad ones
# too: a bad line fails its own zone, not the file (C_ERR).
C_LINE=()
C_ZONE=()
C_SERVER=()
C_KEY=()
C_HZ=()
C_OPTS=()
C_ERR=()	# the line's errors, "FILE:LINE: reason" lines, or ""
C_NBAD=0	# lines with errors

# parse_config FILE LEVEL: fill C_*.  LEVEL 0 checks the words (and
# that no two lines mirror into one hosted zone), 1 also that the key
# files are readable (--all), 2 (--check-config) also that they parse
# (zxfr --check-key: zxfr's own parser) and that server names resolve.
# Returns 1, reported, only when FILE cannot be read or has no zone line.
parse_config() {
	local file=$1 level=$2 line n=0 errs
	local -a w
	C_NBAD=0
	if [ ! -r "$file" ] || [ -d "$file" ]; then
		msg "$file: cannot read config file"
		return 1
	fi
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		line=${line%%#*}
		read -r -a w <<<"$line"
		[ "${#w[@]}" -eq 0 ] && continue
		errs=""
		if [ "${#w[@]}" -lt 4 ]; then
			errs="$file:$n: expected ZONE SERVER[:PORT] KEYFILE|- HOSTED-ZONE [OPTIONS], got ${#w[@]} field(s)"
		else
			config_line_check "$file:$n" "$level" "${w[@]}"
		fi
		C_LINE+=("$n")
		if valid_zone "${w[0]}"; then
			norm_zone "${w[0]}"
			C_ZONE+=("$REPLY")
		else
			C_ZONE+=("${w[0]}")
		fi
		C_SERVER+=("${w[1]:-}")
		C_KEY+=("${w[2]:--}")
		C_HZ+=("${w[3]:--}")
		C_OPTS+=("${w[*]:4}")
		C_ERR+=("$errs")
	done <"$file"
	if [ "${#C_ZONE[@]}" -eq 0 ]; then
		msg "$file: no zone lines"
		return 1
	fi
	config_dups "$file"
	for n in "${C_ERR[@]}"; do
		[ -z "$n" ] || C_NBAD=$((C_NBAD + 1))
	done
	return 0
}

# config_line_check WHERE LEVEL ZONE SERVER KEY HZ [OPTS...]: the errors
# of one zone line, appended to the caller's errs.
config_line_check() {
	local at=$1 level=$2 zone=$3 server=$4 key=$5 hz=$6 perr out zx s
	local -a srvs=()
	shift 6
	valid_zone "$zone" || cfg_err "$at: bad zone name '$zone'"
	if ! split_server "$server"; then
		cfg_err "$at: bad server '$server' (ADDR, NAME, ADDR:PORT or [IPv6]:PORT, several separated by commas)"
	elif [ "$level" -ge 2 ]; then
		# Each primary of a list; names only (addresses need no lookup).
		IFS=, read -r -a srvs <<<"$server"
		for s in "${srvs[@]}"; do
			split_server "$s" || continue
			[[ $srv_addr =~ ^[0-9.]+$ || $srv_addr == *:* ]] && continue
			timeout 10 getent ahosts "$srv_addr" >/dev/null 2>&1 ||
				cfg_err "$at: server name '$srv_addr' does not resolve"
		done
	fi
	if [ "$key" != - ] && [ "$level" -ge 1 ]; then
		if [ ! -r "$key" ] || [ -d "$key" ]; then
			cfg_err "$at: cannot read key file '$key'"
		elif [ "$level" -ge 2 ]; then
			# zxfr's own parser; its message names the file and line.
			zx=
			find_tool zxfr && zx=$REPLY
			if [ -z "$zx" ] || [ ! -x "$zx" ]; then
				cfg_err "$at: cannot check key file '$key': cannot find zxfr (set R53M_BIN or PATH)"
			elif ! out=$("$zx" --check-key "$key" 2>&1 >/dev/null); then
				out=$(grep -v '^zxfr: warning: ' <<<"$out")
				cfg_err "$at: key file does not parse: ${out#zxfr: }"
			elif [ -n "$out" ]; then
				# A warning (a key file others may read): said, not failed.
				msg "$at: ${out#zxfr: }"
			fi
		fi
	fi
	if ! valid_hz_spec "$hz"; then
		cfg_err "$at: bad hosted zone '$hz' (Z..., public, private or private:vpc-...)"
	fi
	# Check the options with the real parser, in a subshell so nothing
	# of this line leaks into the next.
	if [ $# -gt 0 ]; then
		if ! perr=$(parse_opts config "$@" && printf ok || printf '%s' "$ERR"); then
			perr="cannot parse options"
		fi
		[ "$perr" = ok ] || cfg_err "$at: $perr"
	fi
}

cfg_err() { errs+=${errs:+$'\n'}$1; }

# config_dups FILE: a zone line that mirrors into the hosted zone of an
# earlier line fails (the two runs would undo each other): the same
# hosted zone id, or the same zone found by the same name and
# visibility.
config_dups() {
	local file=$1 i j k errs
	local -A seen=()
	for i in "${!C_ZONE[@]}"; do
		[ -z "${C_ERR[$i]}" ] || continue
		case ${C_HZ[$i]} in
		public | private*) k="${C_ZONE[$i]} ${C_HZ[$i]}" ;;
		-) continue ;;
		*) k=${C_HZ[$i]#/hostedzone/} ;;
		esac
		if [ -z "${seen[$k]+set}" ]; then
			seen[$k]=$i
			continue
		fi
		errs="" j=${seen[$k]}
		if [ "${C_ZONE[$i]}" = "${C_ZONE[$j]}" ]; then
			cfg_err "$file:${C_LINE[$i]}: duplicate of line ${C_LINE[$j]} (zone ${C_ZONE[$i]}, hosted zone ${C_HZ[$i]})"
		else
			cfg_err "$file:${C_LINE[$i]}: hosted zone ${C_HZ[$i]} is already ${C_ZONE[$j]}'s (line ${C_LINE[$j]}): one hosted zone mirrors one zone"
		fi
		C_ERR[i]=$errs
	done
}

# config_report [I...]: print the errors of the lines I (all without
# arguments).
config_report() {
	local i
	local -a idx=("$@")
	[ $# -gt 0 ] || idx=("${!C_ERR[@]}")
	for i in "${idx[@]}"; do
		[ -z "${C_ERR[$i]}" ] || printf '%s: %s\n' "$PROG" "${C_ERR[$i]//$'\n'/$'\n'"$PROG: "}" >&2
	done
}

# zone_args I: the command line of config zone I for a one-zone run
# (into ZARGS).  Config options first, then the command line's, so the
# command line wins.
zone_args() {
	local i=$1 hz=${C_HZ[$1]}
	local -a zopts=()
	ZARGS=()
	split_server "${C_SERVER[$i]}"
	read -r -a zopts <<<"${C_OPTS[$i]}"
	ZARGS+=("${zopts[@]}" "${PASS[@]}")
	if [ -n "$srv_port" ]; then
		ZARGS+=(-p "$srv_port")
	fi
	if [ "${C_KEY[$i]}" != - ]; then
		ZARGS+=(-k "${C_KEY[$i]}")
	fi
	case $hz in
	public) ZARGS+=(--public) ;;
	private) ZARGS+=(--private) ;;
	private:*) ZARGS+=(--private --vpc-id "${hz#private:}") ;;
	esac
	ZARGS+=(-- "${C_ZONE[$i]}" "$srv_addr")
	case $hz in
	public | private*) ;;
	*) ZARGS+=("${hz#/hostedzone/}") ;;
	esac
}

# ---------------------------------------------------------------- --all

# select_zones: the config zones (their indexes, into SEL) named by the
# operands, or all of them; exit 3 when none matches.
select_zones() {
	local i f hit
	local -a filters=()
	SEL=()
	for i in "${ARGS[@]}"; do
		norm_zone "$i"
		filters+=("$REPLY")
	done
	for i in "${!C_ZONE[@]}"; do
		if [ "${#filters[@]}" -gt 0 ]; then
			hit=0
			for f in "${filters[@]}"; do
				[ "$f" = "${C_ZONE[$i]}" ] && hit=1
			done
			[ "$hit" -eq 1 ] || continue
		fi
		SEL+=("$i")
	done
	if [ "${#SEL[@]}" -eq 0 ]; then
		msg "$mode_config: no zone matches ${ARGS[*]}"
		exit "$EX_USAGE"
	fi
}

# A bad zone line fails its zone alone (config_failed: its summary line,
# status 3); the other zones run.  The exit status is the worst (the
# highest) of all the zones' statuses.
run_all() {
	local i running=0 st worst=0 pid done_pid
	local -A pid_zone=()
	[ "$opt_jobs" -eq 1 ] || export _R53M_FLEET=1
	parse_config "$mode_config" 1 || exit "$EX_USAGE"
	select_zones
	config_report "${SEL[@]}"
	for i in "${SEL[@]}"; do
		[ -n "${C_ERR[$i]}" ] || continue
		config_failed "$i"
		worst=$EX_USAGE
	done
	# A signal to this process stops every zone's run (each reports).
	trap 'kill -TERM "${!pid_zone[@]}" 2>/dev/null; wait; exit 143' TERM
	trap 'kill -TERM "${!pid_zone[@]}" 2>/dev/null; wait; exit 130' INT
	for i in "${SEL[@]}"; do
		[ -z "${C_ERR[$i]}" ] || continue
		while [ "$running" -ge "$opt_jobs" ]; do
			done_pid=""
			wait -n -p done_pid
			st=$?
			if [ -n "$done_pid" ]; then
				running=$((running - 1))
				[ "$st" -gt "$worst" ] && worst=$st
				unset "pid_zone[$done_pid]"
			fi
		done
		zone_args "$i"
		"$BASH" "$SELF" "${ZARGS[@]}" &
		pid_zone[$!]=${C_ZONE[$i]}
		running=$((running + 1))
	done
	for pid in "${!pid_zone[@]}"; do
		wait "$pid"
		st=$?
		[ "$st" -gt "$worst" ] && worst=$st
	done
	if [ -n "$opt_metrics_file" ] && ! write_metrics "$opt_metrics_file" &&
		[ "$worst" -lt "$EX_BADINPUT" ]; then
		worst=$EX_BADINPUT
	fi
	exit "$worst"
}

# hz_spec_vars HZ: hz_id, opt_private and opt_vpc (what zone_key reads)
# of a config line's hosted zone: an id, public, private[:VPC].
hz_spec_vars() {
	opt_private=0 opt_vpc="" hz_id=""
	case $1 in
	public) ;;
	private*)
		opt_private=1
		[ "$1" != private ] && opt_vpc=${1#private:} ;;
	*) hz_id=${1#/hostedzone/} ;;
	esac
}

# config_failed I: the summary line of bad config line I (status 3,
# result=config-error, config-error=FILE:LINE), also in the zone's
# history when it has a state folder; nothing else of the zone is read.
# It sets a run's globals: run_all calls it before any zone runs.
config_failed() {
	local i=$1 d
	run_init
	trap - INT TERM
	ZONE=${C_ZONE[$i]} HZ_LABEL=${C_HZ[$i]} SUMMARY_RESULT=config-error
	st_last_success=""
	CONFIG_AT="$mode_config:${C_LINE[$i]}"
	if [ "$opt_dry_run" -eq 0 ] && valid_zone "$ZONE" && valid_hz_spec "$HZ_LABEL"; then
		hz_spec_vars "$HZ_LABEL"
		zone_key "$ZONE"
		d="${opt_state_dir:-$(default_state_dir)}/$REPLY"
		[ -d "$d" ] && ZDIR=$d && load_state
	fi
	summary "$EX_USAGE"
}

# --list: the zone names of every line with a good one, even when some
# line is bad (its errors reported, exit 3), so a Makefile listing the
# zones still runs the others.

# -------------------------------------------------------------- --watch

# --watch CONFIG --listen ADDR:PORT: a long-running driver.  It writes
# the listener's zone file (each zone's primary address and key file),
# runs "zxfr --listen", which prints "ZONE SERIAL" for each NOTIFY it
# accepted, and runs that zone exactly as "--all CONFIG ZONE" would (a
# child process: the zone's lock, the normal path, its summary line).
# Every zone also runs at start and then at least every --interval
# seconds, so a lost (UDP) NOTIFY costs at most one interval.
#
# One event FIFO carries everything the loop waits for, read with
# "read -t" (nothing polls): the listener's lines; "=done ZONE HZ ST"
# from each finished run; "=listener ST" when the listener ends; "=sig
# TERM|HUP" from the traps (bash finishes a read before a trap's effect
# can be seen, so the traps write to the FIFO).  Bursts coalesce: a
# NOTIFY for a queued zone changes nothing; one for a running zone makes
# at most one more run after it, and only when its serial is still newer
# (RFC 1982) than the one the run applied.  At most -j runs at once, and
# all of them spend the per-profile Route 53 token bucket
# (R53M_RATE_FILE, lib/common/ratelimit.c): together they never exceed
# the budget.
#
# Per zone line, keyed by "ZONE HOSTED-ZONE" (stable across a SIGHUP
# re-read): W_DUE its next interval run, W_PID the wrapper of its
# running run, W_PEND the serial of a NOTIFY that came during that run
# ("-": unknown), W_Q why it is queued (W_QUEUE, in order).
declare -A W_IDX=() W_DUE=() W_PID=() W_PEND=() W_Q=() W_BYZONE=()
W_QUEUE=()
W_DIR="" W_SD="" W_EVFD="" W_LPID="" W_LSTART=0 W_LBACK=1 W_LRESTART=0
W_STOP=0

# serial_newer A B: serial A is newer than B (RFC 1982, 32 bits).
serial_newer() {
	local a=$1 b=$2
	[ "$a" != "$b" ] &&
		(((a > b && a - b < 2147483648) || (a < b && b - a > 2147483648)))
}

watch_key() { printf '%s %s' "${C_ZONE[$1]}" "${C_HZ[$1]}"; }

# watch_applied I: the serial the last run of config zone I applied
# (last_serial of its state), or nothing.
watch_applied() {
	local f
	config_zone_dir "$1" "$W_SD"
	f="$CZ_DIR/state"
	[ -r "$f" ] || return 0
	sed -n 's/^last_serial=\([0-9][0-9]*\)$/\1/p' "$f" | tail -n 1
}

# watch_index: the lookups of the parsed config; a new zone line is due
# at once, a known one keeps its schedule.
watch_index() {
	local i k
	W_IDX=() W_BYZONE=()
	for i in "${!C_ZONE[@]}"; do
		[ -z "${C_ERR[$i]}" ] || continue
		k=$(watch_key "$i")
		W_IDX[$k]=$i
		W_BYZONE[${C_ZONE[$i]}]+="$i "
		[ -n "${W_DUE[$k]:-}" ] || W_DUE[$k]=0
	done
	for k in "${!W_DUE[@]}"; do
		[ -n "${W_IDX[$k]:-}" ] || unset "W_DUE[$k]"
	done
}

# watch_zone_file: the listener's zone file, "ZONE PRIMARY [KEYFILE]"
# (a zone's first line names them), written whole then renamed.  A key
# from --tsig-secret-id never reaches a file: such a zone's NOTIFYs are
# accepted from its primary's address without TSIG.
watch_zone_file() {
	local i f="$W_DIR/notify-zones"
	local -A seen=()
	{
		printf '# written by %s --watch from %s\n' "$PROG" "$mode_config"
		for i in "${!C_ZONE[@]}"; do
			[ -z "${C_ERR[$i]}" ] || continue
			[ -z "${seen[${C_ZONE[$i]}]:-}" ] || continue
			seen[${C_ZONE[$i]}]=1
			split_server "${C_SERVER[$i]}"
			printf '%s %s' "${C_ZONE[$i]}" "$srv_addr"
			[ "${C_KEY[$i]}" = - ] || printf ' %s' "${C_KEY[$i]}"
			printf '\n'
		done
	} >"$f.tmp" && mv -f -- "$f.tmp" "$f"
}

# watch_child TAG CMD...: (in the background) run CMD, pass TERM and HUP
# on to it, then write "=TAG STATUS" to the event FIFO.  CMD does not
# hold the FIFO open.
watch_child() {
	local tag=$1 c="" st=0 n
	shift
	trap - EXIT
	trap 'W_STOP=1; [ -z "$c" ] || kill -TERM "$c" 2>/dev/null' TERM
	trap '[ -z "$c" ] || kill -HUP "$c" 2>/dev/null' HUP
	"$@" {W_EVFD}>&- &
	c=$!
	[ "$W_STOP" -eq 0 ] || kill -TERM "$c" 2>/dev/null
	# A trapped signal ends a wait early: wait again until CMD is gone.
	for ((n = 0; n < 1000; n++)); do
		wait "$c"
		st=$?
		kill -0 "$c" 2>/dev/null || break
	done
	printf '=%s %s\n' "$tag" "$st" >&"$W_EVFD"
}

watch_listener_start() {
	local -a largs=(--listen "$opt_listen" --notify-zones "$W_DIR/notify-zones"
		--stats "$W_DIR/listener.stats")
	[ "$opt_verbose" -gt 0 ] && largs+=(-v)
	vmsg "watch: listener: $ZXFR ${largs[*]}"
	watch_child listener "$ZXFR" "${largs[@]}" >&"$W_EVFD" &
	W_LPID=$! W_LSTART=$EPOCHSECONDS W_LRESTART=0
}

# watch_listener_ended STATUS: a usage error (bad --listen, bad zone
# file) ends the watch; anything else restarts it after a back-off (1 s
# doubling to 60 s; 1 s again once it ran a minute).  The interval runs
# go on meanwhile.
watch_listener_ended() {
	local st=$1
	wait "$W_LPID" 2>/dev/null
	W_LPID=""
	[ "$W_STOP" -eq 0 ] || return 0
	if [ "$st" -eq "$EX_USAGE" ]; then
		msg "watch: the listener cannot start (status $st): stopping"
		watch_stop "$EX_USAGE"
	fi
	[ $((EPOCHSECONDS - W_LSTART)) -lt 60 ] || W_LBACK=1
	msg "watch: the listener ended (status $st); restarting it in $W_LBACK s"
	W_LRESTART=$((EPOCHSECONDS + W_LBACK))
	W_LBACK=$((W_LBACK * 2 > 60 ? 60 : W_LBACK * 2))
}

# watch_want KEY WHY [SERIAL]: a run of KEY is asked for: queue it, or,
# while it runs, remember one more run (the newest serial asked for).
watch_want() {
	local k=$1 why=$2 s=${3:--} p
	if [ -n "${W_PID[$k]:-}" ]; then
		p=${W_PEND[$k]:-}
		if [ -z "$p" ] || { [ "$p" != - ] && { [ "$s" = - ] || serial_newer "$s" "$p"; }; }; then
			W_PEND[$k]=$s
		fi
		return 0
	fi
	[ -z "${W_Q[$k]:-}" ] || return 0
	W_Q[$k]=$why
	W_QUEUE+=("$k")
}

# watch_notify ZONE SERIAL: a line of the listener.
watch_notify() {
	local zone=${1:-} serial=${2:--} i k applied
	[ -n "$zone" ] || return 0
	norm_zone "$zone"
	zone=$REPLY
	is_uint "$serial" || serial=-
	if [ -z "${W_BYZONE[$zone]:-}" ]; then
		msg "watch: NOTIFY for $zone, not a zone of $mode_config: ignored"
		return 0
	fi
	for i in ${W_BYZONE[$zone]}; do
		k=$(watch_key "$i")
		# Queued or running: coalesced (a running one is checked
		# again when it ends).
		if [ -z "${W_PID[$k]:-}" ] && [ -z "${W_Q[$k]:-}" ] && [ "$serial" != - ]; then
			applied=$(watch_applied "$i")
			if [ -n "$applied" ] && ! serial_newer "$serial" "$applied"; then
				msg "watch: $zone: NOTIFY serial $serial is not newer than the applied $applied: no run"
				continue
			fi
		fi
		watch_want "$k" "notify serial $serial" "$serial"
	done
}

# watch_done KEY STATUS: a run ended; one more when a NOTIFY came
# meanwhile with a serial the run did not apply.
watch_done() {
	local k=$1 p applied
	[ -n "${W_PID[$k]:-}" ] || return 0
	wait "${W_PID[$k]}" 2>/dev/null
	unset "W_PID[$k]"
	vmsg "watch: ${k%% *}: run ended (status $2)"
	p=${W_PEND[$k]:-}
	unset "W_PEND[$k]"
	[ -n "$p" ] && [ -n "${W_IDX[$k]:-}" ] || return 0
	if [ "$p" != - ]; then
		applied=$(watch_applied "${W_IDX[$k]}")
		if [ -n "$applied" ] && ! serial_newer "$p" "$applied"; then
			vmsg "watch: ${k%% *}: serial $p applied by the last run"
			return 0
		fi
	fi
	watch_want "$k" "notify serial $p during the last run" "$p"
}

# watch_start_runs: queued zones, up to -j at once.
watch_start_runs() {
	local k i why
	while [ "${#W_QUEUE[@]}" -gt 0 ] && [ "${#W_PID[@]}" -lt "$opt_jobs" ]; do
		k=${W_QUEUE[0]}
		W_QUEUE=("${W_QUEUE[@]:1}")
		why=${W_Q[$k]:-}
		unset "W_Q[$k]"
		i=${W_IDX[$k]:-}
		[ -n "$i" ] || continue	# gone from the config
		zone_args "$i"
		msg "watch: ${C_ZONE[$i]}: run ($why)"
		W_DUE[$k]=$((EPOCHSECONDS + opt_interval))
		watch_child "done $k" "$BASH" "$SELF" "${ZARGS[@]}" &
		W_PID[$k]=$!
	done
}

# watch_due: queue the zones whose interval is up; prints the seconds
# until the next one (at most 60; the listener's restart counts too).
W_NEXT=60
watch_due() {
	local k now d
	now=$EPOCHSECONDS
	W_NEXT=60
	for k in "${!W_IDX[@]}"; do
		if [ -n "${W_PID[$k]:-}" ] || [ -n "${W_Q[$k]:-}" ]; then
			continue
		fi
		d=${W_DUE[$k]}
		d=$((d - now))
		if [ "$d" -le 0 ]; then
			if [ "${W_DUE[$k]}" -eq 0 ]; then watch_want "$k" start; else watch_want "$k" interval; fi
		elif [ "$d" -lt "$W_NEXT" ]; then
			W_NEXT=$d
		fi
	done
	if [ -z "$W_LPID" ] && [ "$W_LRESTART" -gt 0 ]; then
		d=$((W_LRESTART - now))
		if [ "$d" -le 0 ]; then
			watch_listener_start
		elif [ "$d" -lt "$W_NEXT" ]; then
			W_NEXT=$d
		fi
	fi
}

# watch_reload: SIGHUP: CONFIG again; on an error the old one stays.
watch_reload() {
	local -a l=("${C_LINE[@]}") z=("${C_ZONE[@]}") sv=("${C_SERVER[@]}")
	local -a k=("${C_KEY[@]}") h=("${C_HZ[@]}") o=("${C_OPTS[@]}")
	local -a e=("${C_ERR[@]}")
	local nbad=$C_NBAD
	C_LINE=() C_ZONE=() C_SERVER=() C_KEY=() C_HZ=() C_OPTS=() C_ERR=()
	# A running watch keeps what it has rather than drop a zone whose
	# line broke in an edit: any error keeps the whole old config.
	if ! parse_config "$mode_config" 1 || [ "$C_NBAD" -gt 0 ]; then
		config_report
		C_LINE=("${l[@]}") C_ZONE=("${z[@]}") C_SERVER=("${sv[@]}")
		C_KEY=("${k[@]}") C_HZ=("${h[@]}") C_OPTS=("${o[@]}")
		C_ERR=("${e[@]}") C_NBAD=$nbad
		msg "watch: SIGHUP: $mode_config has errors: keeping the old config (${#C_ZONE[@]} zone(s))"
		return 0
	fi
	watch_index
	watch_zone_file
	[ -z "$W_LPID" ] || kill -HUP "$W_LPID" 2>/dev/null
	msg "watch: SIGHUP: $mode_config re-read: ${#C_ZONE[@]} zone(s)"
}

# watch_stop STATUS: stop the listener and the running runs (each stops
# its stage, reports and lets go of its lock), wait for them, exit.
watch_stop() {
	local k
	for k in "${!W_PID[@]}"; do
		kill -TERM "${W_PID[$k]}" 2>/dev/null
	done
	[ -z "$W_LPID" ] || kill -TERM "$W_LPID" 2>/dev/null
	for k in "${!W_PID[@]}"; do
		wait "${W_PID[$k]}" 2>/dev/null
	done
	[ -z "$W_LPID" ] || wait "$W_LPID" 2>/dev/null
	# The listener's counts (written as it exits), before they go.
	if [ -s "$W_DIR/listener.stats" ]; then
		msg "watch: listener: $(grep '^notify_' "$W_DIR/listener.stats" | tr '\n' ' ')"
	fi
	rm -rf -- "$W_DIR"
	exit "$1"
}

# watch_setup: check the arguments, read CONFIG, make the watch folder
# (listener zone file, event FIFO) in the state folder.
watch_setup() {
	[ "${#ARGS[@]}" -eq 0 ] || die_usage "--watch takes no ZONE arguments (${ARGS[0]})"
	[ -n "$opt_listen" ] || die_usage "--watch needs --listen ADDR:PORT"
	if ! split_server "$opt_listen" || [ -z "$srv_port" ]; then
		die_usage "bad --listen '$opt_listen' (ADDR:PORT or [IPv6]:PORT)"
	fi
	parse_config "$mode_config" 1 || exit "$EX_USAGE"
	# A bad line fails its zone alone (reported now, never run); a file
	# without a good one is a usage error.
	config_report
	if [ "$C_NBAD" -ge "${#C_ZONE[@]}" ]; then
		msg "$mode_config: no usable zone line"
		exit "$EX_USAGE"
	fi
	if find_tool zxfr; then
		ZXFR=$REPLY
	else
		msg "cannot find zxfr (set R53M_BIN or PATH)"
		exit "$EX_USAGE"
	fi
	W_SD=${opt_state_dir:-$(default_state_dir)}
	if ! mkdir_p "$W_SD" || ! chmod 700 -- "$W_SD" ||
		! W_DIR=$(mktemp -d "$W_SD/watch.XXXXXXXX") ||
		! mkfifo -m 600 "$W_DIR/events"; then
		msg "cannot create the watch folder in $W_SD"
		exit "$EX_BADINPUT"
	fi
	# Read and write: never an end of file, and no open blocks.
	exec {W_EVFD}<>"$W_DIR/events"
	trap 'rm -rf -- "$W_DIR"' EXIT
}

run_watch() {
	local line tag a b c
	export _R53M_FLEET=1
	watch_setup
	watch_index
	watch_zone_file
	trap 'printf "=sig TERM\n" >&"$W_EVFD"' TERM INT
	trap 'printf "=sig HUP\n" >&"$W_EVFD"' HUP
	watch_listener_start
	msg "watch: $mode_config: ${#C_ZONE[@]} zone(s), NOTIFY on $opt_listen, every zone at least every $opt_interval s"
	while [ "$W_STOP" -eq 0 ]; do
		watch_due
		watch_start_runs
		line=""
		IFS= read -r -t "$W_NEXT" -u "$W_EVFD" line || [ -n "$line" ] || continue
		read -r tag a b c <<<"$line"
		case $tag in
		=sig) if [ "$a" = HUP ]; then watch_reload; else W_STOP=1; fi ;;
		=done) watch_done "$a $b" "$c" ;;
		=listener) watch_listener_ended "$a" ;;
		=*) ;;
		*) watch_notify "$tag" "$a" ;;
		esac
	done
	msg "watch: stopping"
	watch_stop "$EX_OK"
}

run_list() {
	local i
	parse_config "$mode_config" 0 || exit "$EX_USAGE"
	config_report
	for i in "${!C_ZONE[@]}"; do
		valid_zone "${C_ZONE[$i]}" && printf '%s\n' "${C_ZONE[$i]}"
	done | awk '!seen[$0]++'
	[ "$C_NBAD" -eq 0 ] || exit "$EX_USAGE"
	exit "$EX_OK"
}

# --check-config: every problem of every line at once (words, key files
# readable and parsed by zxfr, server names resolving, two lines on one
# hosted zone), each with FILE:LINE; exit 3 if any.
run_check_config() {
	parse_config "$mode_config" 2 || exit "$EX_USAGE"
	config_report
	if [ "$C_NBAD" -gt 0 ]; then
		msg "$mode_config: $C_NBAD of ${#C_ZONE[@]} zone line(s) with errors"
		exit "$EX_USAGE"
	fi
	printf '%s: %s zone(s)\n' "$mode_config" "${#C_ZONE[@]}"
	exit "$EX_OK"
}

# profile_setting PROFILE KEY: KEY of the AWS profile as the C tools read
# it (lib/common/aws/awscredcfg.c): the credentials file's [PROFILE] over the
# config file's [profile PROFILE] ([default] too for default).  Empty when
# unset.
profile_setting() {
	local cfg=${AWS_CONFIG_FILE:-$HOME/.aws/config}
	local cred=${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}
	local v=""
	cfg=${cfg/#\~/$HOME} cred=${cred/#\~/$HOME}
	[ -r "$cred" ] && v=$(ini_value "$cred" "$1" "" "$2")
	if [ -z "$v" ] && [ -r "$cfg" ]; then
		if [ "$1" = default ]; then
			v=$(ini_value "$cfg" "profile default" default "$2")
		else
			v=$(ini_value "$cfg" "profile $1" "" "$2")
		fi
	fi
	printf '%s' "$v"
}

# ini_value FILE SECTION SECTION2 KEY: KEY's value in [SECTION] (or
# [SECTION2]); indented lines are nested settings, skipped.
ini_value() {
	awk -v want="$2" -v want2="$3" -v key="$4" '
		/^[ \t]/ { next }
		{ sub(/\r$/, ""); sub(/^[ \t]+/, ""); sub(/[ \t]+$/, "") }
		/^\[/ { n = $0; sub(/^\[[ \t]*/, "", n); sub(/[ \t]*\].*$/, "", n)
			in_s = (n == want || (want2 != "" && n == want2)); next }
		in_s && index($0, "=") {
			k = substr($0, 1, index($0, "=") - 1); sub(/[ \t]+$/, "", k)
			if (k != key) next
			v = substr($0, index($0, "=") + 1); sub(/^[ \t]+/, "", v)
			val = v
		}
		END { printf "%s", val }' "$1"
}

# partition_arn PROFILE: the ARN prefix of the partition the profile's
# region is in, the region found as r53dump/r53apply find it: AWS_REGION,
# else AWS_DEFAULT_REGION, else the profile's region.
partition_arn() {
	local region=${AWS_REGION:-${AWS_DEFAULT_REGION:-}}
	[ -n "$region" ] || region=$(profile_setting "$1" region)
	case $region in
	cn-*) printf 'arn:aws-cn' ;;
	us-gov-*) printf 'arn:aws-us-gov' ;;
	*) printf 'arn:aws' ;;
	esac
}

# zone_profile I: the AWS profile config zone I runs as: the command
# line's --profile, else the zone line's, else AWS_PROFILE, else default.
zone_profile() {
	local -a zopts=()
	local j p=""
	if [ -n "$opt_profile" ]; then
		printf '%s' "$opt_profile"
		return
	fi
	# The line passed parse_opts already: only its --profile matters.
	read -r -a zopts <<<"${C_OPTS[$1]}"
	for j in "${!zopts[@]}"; do
		case ${zopts[$j]} in
		--profile) p=${zopts[$((j + 1))]:-} ;;
		--profile=*) p=${zopts[$j]#--profile=} ;;
		esac
	done
	printf '%s' "${p:-${AWS_PROFILE:-default}}"
}

# --iam-policy: the actions mirror.sh's commands call, on exactly the
# listed hosted zones: one policy document per AWS profile (per account),
# its Id naming the profile, its ARNs in the partition of the profile's
# region.  A zone given by name needs its id: taken from its state folder
# when a run already resolved it, else hostedzone/* (warned).
run_iam() {
	local i hz sd f id prof
	local -a profiles=()
	local -A p_ids=() p_named=() p_wild=()
	parse_config "$mode_config" 0 || exit "$EX_USAGE"
	if [ "$C_NBAD" -gt 0 ]; then
		config_report
		exit "$EX_USAGE"
	fi
	sd=${opt_state_dir:-$(default_state_dir)}
	for i in "${!C_ZONE[@]}"; do
		hz=${C_HZ[$i]}
		prof=$(zone_profile "$i")
		if [ -z "${p_ids[$prof]+set}" ]; then
			profiles+=("$prof")
			p_ids[$prof]="" p_named[$prof]=0 p_wild[$prof]=0
		fi
		case $hz in
		public | private*)
			p_named[$prof]=1
			config_zone_dir "$i" "$sd"
			f="$CZ_DIR/state"
			id=""
			if [ -r "$f" ]; then
				id=$(sed -n 's/^zone_id=\(Z[A-Z0-9]*\)$/\1/p' "$f" | tail -n 1)
			fi
			if [ -n "$id" ]; then
				p_ids[$prof]+="$id "
			else
				msg "$mode_config:${C_LINE[$i]}: ${C_ZONE[$i]} ($hz) is not resolved to an id yet (run it once, or give its id): the policy allows hostedzone/*"
				p_wild[$prof]=1
			fi ;;
		*) p_ids[$prof]+="${hz#/hostedzone/} " ;;
		esac
	done
	if [ "${#profiles[@]}" -gt 1 ]; then
		msg "$mode_config: ${#profiles[@]} AWS profiles: one policy each (its Id names the profile)"
	fi
	for prof in "${profiles[@]}"; do
		iam_policy "$prof" "$(partition_arn "$prof")" "${p_named[$prof]}" \
			"${p_wild[$prof]}" "${p_ids[$prof]}"
	done
	exit "$EX_OK"
}

# iam_policy PROFILE ARN NAMED WILD "ID ...": one policy document.
iam_policy() {
	local prof=$1 arn=$2 named=$3 wild=$4 res first=1
	local -a ids
	read -r -a ids <<<"$5"
	printf '{\n  "Version": "2012-10-17",\n  "Id": "r53mirror-profile-%s",\n' "$prof"
	printf '  "Statement": [\n'
	printf '    {\n      "Sid": "MirrorRecordSets",\n      "Effect": "Allow",\n'
	printf '      "Action": [\n        "route53:ChangeResourceRecordSets",\n'
	printf '        "route53:ChangeTagsForResource",\n'
	printf '        "route53:GetHostedZone",\n        "route53:GetHostedZoneLimit",\n'
	printf '        "route53:ListResourceRecordSets",\n'
	printf '        "route53:ListTagsForResource"\n      ],\n      "Resource": ['
	if [ "$wild" -eq 1 ]; then
		printf '\n        "%s:route53:::hostedzone/*"' "$arn"
	else
		while read -r res; do
			[ -n "$res" ] || continue
			[ "$first" -eq 1 ] || printf ','
			first=0
			printf '\n        "%s:route53:::hostedzone/%s"' "$arn" "$res"
		done < <(printf '%s\n' "${ids[@]}" | sort -u)
	fi
	printf '\n      ]\n    },\n'
	printf '    {\n      "Sid": "WaitForChanges",\n      "Effect": "Allow",\n'
	printf '      "Action": [\n        "route53:GetChange"\n      ],\n'
	printf '      "Resource": [\n        "%s:route53:::change/*"\n      ]\n    }' "$arn"
	if [ "$named" -eq 1 ]; then
		printf ',\n    {\n      "Sid": "FindZonesByName",\n      "Effect": "Allow",\n'
		printf '      "Action": [\n        "route53:ListHostedZonesByName"\n      ],\n'
		printf '      "Resource": "*"\n    }'
	fi
	printf '\n  ]\n}\n'
}

# config_zone_dir I SD: the state folder of config zone I below SD, into
# CZ_DIR (sets the hosted zone options of that line: not for a zone run).
config_zone_dir() {
	# zone_key reads the line's hosted zone from hz_spec_vars' globals.
	hz_spec_vars "${C_HZ[$1]}"
	zone_key "${C_ZONE[$1]}"
	CZ_DIR="$2/$REPLY"
}

# ----------------------------------------------- --status, --metrics-file

# fleet_zone I SD: config zone I's status file into SF (see
# record_status), read from its state folder (ZDIR); a folder written
# before status files existed gives its state's last success and serial.
fleet_zone() {
	local k v
	config_zone_dir "$1" "$2"
	ZDIR=$CZ_DIR
	load_status "$ZDIR/status"
	if [ "${#SF[@]}" -eq 0 ] && [ -r "$ZDIR/state" ]; then
		while IFS='=' read -r k v; do
			case $k in
			last_success) SF[last_success]=$v ;;
			last_serial) SF[source_serial]=$v ;;
			esac
		done <"$ZDIR/state"
	fi
}

# status_fields I NOW: the --status report of config zone I (SF loaded).
status_fields() {
	local age=""
	is_uint "${SF[last_success]:-}" && age=$(($2 - SF[last_success]))
	fields_reset
	fields_add zone s "${C_ZONE[$1]}"
	fields_add hosted-zone s "${C_HZ[$1]}"
	fields_add last-run t "${SF[last_run]:-}"
	fields_add result s "${SF[last_result]:-never-run}"
	fields_add status n "${SF[last_status]:-}"
	fields_add check s "${SF[last_check]:-}"
	fields_add last-success t "${SF[last_success]:-}"
	fields_add since-success d "$age"
	fields_add last-change t "${SF[last_change]:-}"
	fields_add serial n "${SF[source_serial]:-}"
	fields_add route53-serial n "${SF[route53_serial]:-}"
	fields_add skipped n "${SF[skipped]:-}"
	fields_add warnings n "${SF[warnings]:-}"
	fields_add runs n "${SF[runs_total]:-}"
	fields_add failed-runs n "${SF[failed_runs_total]:-}"
	fields_add requests n "${SF[requests_total]:-}"
	fields_add dns-queries n "${SF[dns_queries_total]:-}"
	fields_add folder s "$ZDIR"
	fields_add last-error-time t "${SF[last_error_time]:-}"
	fields_add last-error q "${SF[last_error]:-}"
}

# --status CONFIG [ZONE...]: each zone's last runs, one line (or JSON
# object) a zone, from the state folders alone: no DNS query, no API
# request.  The metrics file has every zone of CONFIG.
run_status() {
	local i sd now
	parse_config "$mode_config" 0 || exit "$EX_USAGE"
	select_zones
	sd=${opt_state_dir:-$(default_state_dir)}
	now=$EPOCHSECONDS
	for i in "${SEL[@]}"; do
		fleet_zone "$i" "$sd"
		status_fields "$i" "$now"
		if [ "$opt_json" -eq 1 ]; then
			fields_json
		else
			fields_text
			printf '%s\n' "$REPLY"
		fi
	done
	if [ -n "$opt_metrics_file" ]; then
		write_metrics "$opt_metrics_file" || exit "$EX_BADINPUT"
	fi
	exit "$EX_OK"
}

# The metric families of --metrics-file: name, type, the status file's
# key (or a computed one: since_success, result), help.
metric_table() {
	cat <<'TABLE'
r53mirror_last_run_timestamp_seconds|gauge|last_run|Time the zone's last run ended (Unix seconds).
r53mirror_last_run_status|gauge|last_status|Exit status of the zone's last run.
r53mirror_last_run_duration_seconds|gauge|last_seconds|How long the zone's last run took.
r53mirror_run_result|gauge|result|1, labelled with the result of the zone's last run (never-run before one).
r53mirror_last_success_timestamp_seconds|gauge|last_success|Time of the zone's last successful run (Unix seconds).
r53mirror_seconds_since_success|gauge|since_success|Seconds since the last success, when the file was written.
r53mirror_last_change_timestamp_seconds|gauge|last_change|Time of the last run that changed Route 53 (Unix seconds).
r53mirror_last_error_timestamp_seconds|gauge|last_error_time|Time of the zone's last failed run (Unix seconds).
r53mirror_source_serial|gauge|source_serial|SOA serial last seen at the source.
r53mirror_route53_serial|gauge|route53_serial|SOA serial last seen (or written) in Route 53.
r53mirror_skipped_rrsets|gauge|skipped|RRsets the last full compare left unapplied (skipped, held back, rejected).
r53mirror_warnings|gauge|warnings|Warnings of the zone's last run.
r53mirror_runs_total|counter|runs_total|Runs of the zone (a busy lock or a dry run not counted).
r53mirror_failed_runs_total|counter|failed_runs_total|Runs of the zone that failed.
r53mirror_requests_total|counter|requests_total|Route 53 API requests of the zone's runs, retries included.
r53mirror_dns_queries_total|counter|dns_queries_total|DNS requests of the zone's runs.
TABLE
}

# prom_label VAR V: V escaped for a label value (backslash, quote,
# newline), into VAR.
prom_label() {
	local v=${2//\\/\\\\}
	v=${v//\"/\\\"}
	printf -v "$1" '%s' "${v//$'\n'/\\n}"
}

# write_metrics FILE: every config zone's metrics in the Prometheus text
# exposition format, written beside FILE and renamed over it (as
# node_exporter's textfile collector wants).  1 when it cannot.
write_metrics() {
	local file=$1 tmp="$1.tmp.$$" i sd now name type key help v lz lh
	local -a labels=()
	local -A val=()
	sd=${opt_state_dir:-$(default_state_dir)}
	now=$EPOCHSECONDS
	for i in "${!C_ZONE[@]}"; do
		fleet_zone "$i" "$sd"
		prom_label lz "${C_ZONE[$i]}"
		prom_label lh "${C_HZ[$i]}"
		labels[i]="zone=\"$lz\",hosted_zone=\"$lh\""
		for key in "${!SF[@]}"; do
			val[$key:$i]=${SF[$key]}
		done
		val[result:$i]=${SF[last_result]:-never-run}
		is_uint "${SF[last_success]:-}" && val[since_success:$i]=$((now - SF[last_success]))
	done
	while IFS='|' read -r name type key help; do
		printf '# HELP %s %s\n# TYPE %s %s\n' "$name" "$help" "$name" "$type"
		for i in "${!C_ZONE[@]}"; do
			v=${val[$key:$i]:-}
			if [ "$key" = result ]; then
				prom_label v "$v"
				printf '%s{%s,result="%s"} 1\n' "$name" "${labels[i]}" "$v"
			elif [[ $v =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
				printf '%s{%s} %s\n' "$name" "${labels[i]}" "$v"
			fi
		done
	done < <(metric_table) >"$tmp" && mv -f -- "$tmp" "$file" && return 0
	rm -f -- "$tmp"
	msg "--metrics-file: cannot write $file"
	return 1
}

# ------------------------------------------------------------ one zone

# State of one zone (file "state", key=value lines; never sourced).
st_created="" st_zone_id="" st_last_serial="" st_last_full=""
st_last_success="" st_last_source_ok="" st_opthash=""
# The rrdiff options of the run that wrote applied.rrset: what it
# compared (and so left in Route 53), for the drift check.
st_applied_ignore_ttl=0 st_applied_types=""

load_state() {
	local k v
	[ -r "$ZDIR/state" ] || return 1
	while IFS='=' read -r k v; do
		case $k in
		created | last_full | last_success | last_source_ok | last_serial)
			is_uint "$v" && printf -v "st_$k" '%s' "$v" ;;
		zone_id)
			[[ $v =~ ^Z[A-Z0-9]+$ ]] && st_zone_id=$v ;;
		opthash)
			[[ $v =~ ^[0-9a-f]+$ ]] && st_opthash=$v ;;
		applied_ignore_ttl)
			[[ $v =~ ^[01]$ ]] && st_applied_ignore_ttl=$v ;;
		applied_types)
			[[ $v =~ ^[A-Za-z0-9]+(,[A-Za-z0-9]+)*$ ]] && st_applied_types=$v ;;
		esac
	done <"$ZDIR/state"
	return 0
}

save_state() {
	local tmp="$ZDIR/state.tmp.$$"
	{
		printf 'format=1\nzone=%s\n' "$ZONE"
		printf 'created=%s\n' "$st_created"
		printf 'zone_id=%s\n' "$st_zone_id"
		printf 'last_serial=%s\n' "$st_last_serial"
		printf 'last_full=%s\n' "$st_last_full"
		printf 'last_success=%s\n' "$st_last_success"
		printf 'last_source_ok=%s\n' "$st_last_source_ok"
		printf 'opthash=%s\n' "$st_opthash"
		printf 'applied_ignore_ttl=%s\n' "$st_applied_ignore_ttl"
		printf 'applied_types=%s\n' "$st_applied_types"
	} >"$tmp" && mv -f "$tmp" "$ZDIR/state"
}

# The options, format and tool versions that decide what a full compare
# finds; a change of any forces one.  OPTHASH=the first 32 hex digits of
# the SHA-256 of those lines and the tools' own SHA-256 sums, built in
# the shell (two sha256sum runs, no cut, no subshell pipeline).
compute_opthash() {
	local text line
	local -a sums=()
	printf -v text 'format 1\nzone %s\nserver %s port %s key %s secret %s\n' \
		"$ZONE" "$SERVER" "$opt_port" "$opt_key" "$opt_secret_id"
	printf -v line 'hz %s private %s public %s vpc %s endpoint %s\n' \
		"$hz_id" "$opt_private" "$opt_public" "$opt_vpc" \
		"${opt_endpoint:-${AWS_ENDPOINT_URL_ROUTE_53:-}}"
	text+=$line
	printf -v line 'ignore-ttl %s types %s\n' "$opt_ignore_ttl" "$opt_types"
	text+=$line
	if [ -n "$opt_ignore" ]; then
		printf -v line 'ignore %s\n' "$opt_ignore"
		text+=$line
	fi
	mapfile -t sums < <(sha256sum "$ZXFR" "$RRDIFF" "$R53DUMP" "$R53APPLY" "$SELF" 2>/dev/null)
	for line in "${sums[@]}"; do
		text+="${line%% *}"$'\n'
	done
	read -r line _ < <(sha256sum <<<"${text%$'\n'}")
	OPTHASH=${line:0:32}
}

# Deadline of the watchdog; remaining sets REPLY to the seconds left
# (a variable, not $(...): each fork is a process start per stage).
DEADLINE=0
remaining() {
	REPLY=$((DEADLINE - EPOCHSECONDS))
	[ "$REPLY" -ge 0 ] || REPLY=0
}

# stage NAME ERRFILE CMD...: run one stage under the watchdog, its stderr
# to ERRFILE (shown on failure or with -v).  Returns the stage's status;
# sets TIMED_OUT=1 when the watchdog stopped it.
TIMED_OUT=0
STAGE_PID=""
stage() {
	local name=$1 errf=$2 st rem
	shift 2
	remaining
	rem=$REPLY
	if [ "$rem" -le 0 ]; then
		TIMED_OUT=1
		msg "$ZONE: watchdog: no time left for $name (--timeout $opt_timeout)"
		return "$EX_TIMEOUT"
	fi
	vmsg "$ZONE: $name: $*"
	# In the background so that a signal to this script reaches the
	# trap below at once (timeout puts the stage in its own group).
	timeout -k 5 "$rem" "$@" 2>"$errf" &
	STAGE_PID=$!
	wait "$STAGE_PID"
	st=$?
	STAGE_PID=""
	remaining
	if [ "$st" -ne 0 ] && [ "$REPLY" -le 0 ]; then
		TIMED_OUT=1
		msg "$ZONE: watchdog: $name stopped after --timeout $opt_timeout s"
	fi
	if [ "$opt_verbose" -gt 0 ] || { [ "$st" -ne 0 ] && [ "$st" -ne 1 ]; } ||
		{ [ "$st" -eq 1 ] && [ "${name#rrdiff}" = "$name" ]; }; then
		[ "$st" -le 1 ] || FAILED_ERRF=$errf
		stage_messages "$errf" all
		if [ "$st" -gt 128 ] && [ "$TIMED_OUT" -eq 0 ]; then
			msg "$ZONE: $name killed by signal $((st - 128))"
		fi
	else
		stage_messages "$errf" warnings
	fi
	return "$st"
}

# stage_messages ERRFILE all|warnings: a stage's messages to standard
# error, each prefixed with the zone, and with --syslog to syslog too
# (daemon.warning): all of them, or only its warnings (a run that went
# well still shows them: "warning:", and the RRsets r53apply skipped,
# held back or saw rejected).  Once each in a run: a stage run twice (the
# dump of a zone resolved by name) says nothing new the second time.
# Counts the warnings shown in N_WARN.
declare -A MSG_SEEN=()
N_WARN=0
stage_messages() {
	local errf=$1 pat='' line lines=""
	local wpat='^[^ :]+: (warning|skipped|held|rejected): '
	[ -s "$errf" ] || return 0
	[ "$2" = all ] || pat=$wpat
	while IFS= read -r line; do
		if [ -z "$line" ] || [ -n "${MSG_SEEN[$line]:-}" ]; then
			continue
		fi
		MSG_SEEN[$line]=1
		lines+="$line"$'\n'
		[[ $line =~ $wpat ]] && N_WARN=$((N_WARN + 1))
	done < <(grep -E -- "$pat" "$errf")
	[ -n "$lines" ] || return 0
	lines=${lines%$'\n'}
	printf '%s\n' "$lines" | awk -v p="$PROG: $ZONE: " '{ print p $0 }' >&2
	if [ "$opt_syslog" -eq 1 ]; then
		printf '%s\n' "$lines" | awk -v p="$ZONE: " '{ print p $0 }' |
			logger -t r53mirror -p daemon.warning 2>/dev/null
	fi
	return 0
}

# stat_get VAR FILE KEY: KEY's value in a command's --stats file (SPEC
# section 8: "KEY=N" lines) into VAR, or "" (not known: no such key, or
# no file because the command died before writing it).  Read by the
# shell itself: a run reads its stats files some fifty times, and a sed
# and a head each time were most of a small run's processes.
stat_get() {
	local _k _v
	printf -v "$1" '%s' ""
	[ -r "$2" ] || return 0
	while IFS='=' read -r _k _v; do
		if [ "$_k" = "$3" ] && [[ $_v =~ ^[0-9]+$ ]]; then
			printf -v "$1" '%s' "$_v"
			return 0
		fi
	done <"$2"
}

# stat_is FILE KEY VALUE: KEY of stats FILE is known and is VALUE.
stat_is() {
	local v
	stat_get v "$1" "$2"
	[ -n "$v" ] && [ "$v" = "$3" ]
}

# note_primary FILE: with several primaries (SERVER a comma list), the
# one zxfr used (its stats' server_index), for the summary's primary=.
note_primary() {
	local i
	local -a l
	[[ $SERVER == *,* ]] || return 0
	stat_get i "$1" server_index
	[ -n "$i" ] && [ "$i" -ge 1 ] || return 0
	IFS=, read -r -a l <<<"$SERVER"
	PRIMARY=${l[i - 1]:-}
}

# add_stat VAR FILE KEY DEFAULT: add KEY of stats FILE (DEFAULT when not
# known) to the counter VAR.
add_stat() {
	local n
	stat_get n "$2" "$3"
	printf -v "$1" '%s' $((${!1} + ${n:-$4}))
}

# header_value FILE KEY: REPLY=the value of a "#KEY VALUE" header line
# ("" when there is none).
header_value() {
	local line rest
	REPLY=
	[ -r "$1" ] || return 0
	while IFS= read -r line; do
		[[ $line == '#'* ]] || return 0
		[[ $line == "#$2 "* ]] || continue
		rest=${line#"#$2 "}
		REPLY=${rest%% *}
		return 0
	done <"$1"
}

# first_line FILE: REPLY=its first line ("" when it cannot be read).
first_line() {
	REPLY=
	[ -r "$1" ] && IFS= read -r REPLY <"$1"
	return 0
}

# utc_stamp FORMAT: REPLY=now in UTC as strftime(3) FORMAT.
utc_stamp() {
	local TZ=UTC0
	printf -v REPLY "%($1)T" -1
}

SUMMARY_RESULT="" CONFIG_AT=""
# The script's own stdout and stderr, kept at the start of a run: the
# summary goes there even when a signal arrives while a stage's output
# is redirected to a file.
OUT_FD=1 ERR_FD=2
# summary STATUS: the summary line (fields_text) to history.log and the
# run folder; to stdout or syslog as a line, or with --json as a JSON
# object (fields_json).
summary() {
	local st=$1 line out src=${SRC_SERIAL:--} r53=${R53_SERIAL:--}
	local dval=$N_DRIFT age=""
	[ -n "$st_last_success" ] && age=$((EPOCHSECONDS - st_last_success))
	[ "$DRIFT_CHECKED" -eq 1 ] || dval=unchecked
	if [ -n "$R53_SERIAL_AFTER" ] && [ "$R53_SERIAL_AFTER" != "$r53" ]; then
		r53="$r53->$R53_SERIAL_AFTER"
	fi
	fields_reset
	fields_add zone s "$ZONE"
	fields_add hosted-zone s "$HZ_LABEL"
	fields_add result s "$SUMMARY_RESULT"
	fields_add status n "$st"
	fields_add check s "$CHECK"
	fields_add serial n "$src"
	fields_add route53-serial p "$r53"
	fields_add changes n "$N_CHANGES"
	fields_add adds n "$N_ADDS"
	fields_add deletes n "$N_DELETES"
	fields_add updates n "$N_UPDATES"
	fields_add skipped n "$N_SKIPPED"
	fields_add drift n "$dval"
	fields_add requests n "$N_REQUESTS"
	fields_add dns-queries n "$N_DNS"
	fields_add xfr s "$XFR"
	[ -z "$PRIMARY" ] || fields_add primary s "$PRIMARY"
	fields_add seconds n "$RUN_SECS"
	fields_add since-success d "$age"
	[ -n "$CONFIG_AT" ] && fields_add config-error s "$CONFIG_AT"
	# (A dry run's folder is removed on exit: its plan lists them.)
	if [ "$N_SKIPPED" -gt 0 ] && [ -n "$RUN" ] && [ "$opt_dry_run" -eq 0 ]; then
		fields_add skipped-list s "$RUN/skipped"
	fi
	fields_text
	line=$REPLY
	out=$line
	[ "$opt_json" -eq 1 ] && out=$(fields_json)
	if [ -n "$RUN" ]; then
		printf '%s\n' "$line" >"$RUN/summary" 2>/dev/null
	fi
	if [ -n "$ZDIR" ] && [ -d "$ZDIR" ]; then
		utc_stamp %Y-%m-%dT%H:%M:%SZ
		printf '%s %s\n' "$REPLY" "$line" >>"$ZDIR/history.log"
		if [ "$(wc -l <"$ZDIR/history.log")" -gt 2000 ]; then
			tail -n 1000 "$ZDIR/history.log" >"$ZDIR/history.log.tmp" &&
				mv -f "$ZDIR/history.log.tmp" "$ZDIR/history.log"
		fi
	fi
	if [ "$opt_syslog" -eq 1 ]; then
		local prio=daemon.notice
		[ "$st" -ne 0 ] && prio=daemon.err
		# logger says nothing and exits 0 when syslog is gone unless asked.
		logger --socket-errors=on -t r53mirror -p "$prio" -- "$out" \
			1>&"$OUT_FD" 2>&"$ERR_FD" || printf '%s\n' "$out" 1>&"$OUT_FD"
	else
		printf '%s\n' "$out" 1>&"$OUT_FD"
	fi
}

# ------------------------------------------------------ report fields

# The fields of one report (a summary line, a zone of --status), in
# order: a key (as in the key=value line; "-" becomes "_" in JSON), a
# kind and a value.  Kinds: s text; q free text (quoted in the line);
# n number (else "-" in the line, null in JSON); d seconds ("5s" or
# "never"); t a time, Unix seconds (ISO 8601 UTC in the line, "never"
# when unknown); p a serial, or "OLD->NEW" (JSON: route53_serial and
# route53_serial_after).
F_K=() F_T=() F_V=()
fields_reset() { F_K=() F_T=() F_V=(); }
fields_add() { F_K+=("$1") F_T+=("$2") F_V+=("$3"); }

# fields_text: REPLY=the fields as one key=value line.
fields_text() {
	local i v TZ=UTC0
	local -a out=()
	for i in "${!F_K[@]}"; do
		v=${F_V[$i]}
		case ${F_T[$i]}:$v in
		[dt]:) v=never ;;
		d:*) v="${v}s" ;;
		t:*) printf -v v '%(%Y-%m-%dT%H:%M:%SZ)T' "$v" ;;
		*:) v=- ;;
		q:*)
			v=${v//[$'\001'-$'\037']/ } v=${v//\\/\\\\}
			v="\"${v//\"/\\\"}\"" ;;
		esac
		out+=("${F_K[$i]}=$v")
	done
	REPLY="${out[*]}"
}

# fields_json: the fields as one JSON object on one line.
fields_json() {
	local i k v sep="" obj="{"
	for i in "${!F_K[@]}"; do
		k=${F_K[$i]//-/_} v=${F_V[$i]}
		case ${F_T[$i]} in
		s | q) json_str v "$v" ;;
		p)
			if [[ $v == *'->'* ]]; then
				json_num v "${v%%->*}"
				obj+="$sep\"$k\":$v" sep=,
				k+=_after v=${F_V[$i]#*->}
			fi
			json_num v "$v" ;;
		*) json_num v "$v" ;;
		esac
		obj+="$sep\"$k\":$v" sep=,
	done
	printf '%s}\n' "$obj"
}

# json_num VAR V: V as a JSON number, or null, into VAR (no subshell:
# --status runs it for every field of every zone).
json_num() {
	if [[ $2 =~ ^[0-9]+(\.[0-9]+)?$ ]]; then printf -v "$1" '%s' "$2"; else printf -v "$1" null; fi
}

# json_str VAR V: V as a JSON string (null when empty), into VAR; control
# characters other than tab, newline and return become spaces.
json_str() {
	local s=$2
	[ -n "$s" ] || { printf -v "$1" null; return; }
	s=${s//\\/\\\\} s=${s//\"/\\\"}
	s=${s//$'\n'/\\n} s=${s//$'\r'/\\r} s=${s//$'\t'/\\t}
	s=${s//[$'\001'-$'\037']/ }
	printf -v "$1" '"%s"' "$s"
}

# run_seconds: RUN_SECS=the seconds since T0 (EPOCHREALTIME) with two
# decimals, rounded, in the shell's integer arithmetic (no awk per run).
run_seconds() {
	local us=0
	[ -z "${T0:-}" ] || us=$((10#${EPOCHREALTIME/./} - 10#${T0/./}))
	[ "$us" -ge 0 ] || us=0
	us=$(((us + 5000) / 10000))
	printf -v RUN_SECS '%d.%02d' $((us / 100)) $((us % 100))
}

finish() {
	local st=$1
	# The outcome is decided: a signal from here on (a --watch stopping
	# just as this run ends) would report the run a second time, as
	# interrupted.
	trap '' INT TERM
	run_seconds
	mark_change
	record_status "$st"
	summary "$st"
	prune_runs
	exit "$st"
}

# run_changed DIR: run folder DIR's r53apply created, updated or deleted
# at least one RRset (its stats file says so; a dry run's never counts).
run_changed() {
	local k v n=0
	for k in created updated deleted; do
		stat_get v "$1/r53apply.stats" "$k"
		n=$((n + ${v:-0}))
	done
	[ "$n" -gt 0 ]
}

# mark_change: this run changed Route 53 (all of it, or part of it before
# a failure): the link last-change names its folder.
mark_change() {
	[ -n "$RUN" ] && [ "$opt_dry_run" -eq 0 ] && [ -d "$RUN" ] || return 0
	run_changed "$RUN" || return 0
	ln -sfn "runs/${RUN##*/}" "$ZDIR/last-change"
	CHANGED=1
}

# The status file, $ZDIR/status (key=value lines; never sourced): what
# --status and --metrics-file read, no network needed.  Written at the
# end of every run but a dry run's and one that found the zone locked
# (it did nothing; the run holding the lock writes its own).
#   last_run last_result last_status last_check last_seconds
#   source_serial route53_serial   the last known (kept over failures)
#   last_success last_change last_change_run   times (Unix seconds)
#   skipped warnings   of the last full compare / of the last run
#   last_error last_error_time   the last failed run's first error line
#   runs_total failed_runs_total requests_total dns_queries_total
declare -A SF=()
CHANGED=0

# load_status FILE: SF from a status file (empty when there is none).
load_status() {
	local k v
	SF=()
	[ -r "$1" ] || return 0
	while IFS='=' read -r k v; do
		[[ $k =~ ^[a-z_0-9]+$ ]] && SF[$k]=$v
	done <"$1"
}

# record_status STATUS: this run's end into the status file.
record_status() {
	local st=$1 now ok=0 k err="" tmp="$ZDIR/status.tmp.$$"
	[ -n "$ZDIR" ] && [ -d "$ZDIR" ] && [ "$SUMMARY_RESULT" != locked ] || return 0
	[ "$opt_dry_run" -eq 0 ] || return 0
	now=$EPOCHSECONDS
	load_status "$ZDIR/status"
	case $st in 0 | 1 | "$EX_DRIFT") ok=1 ;; esac
	SF[zone]=$ZONE SF[hosted_zone]=$HZ_LABEL SF[last_run]=$now
	SF[last_result]=$SUMMARY_RESULT SF[last_status]=$st SF[last_check]=$CHECK
	SF[last_seconds]=$RUN_SECS SF[warnings]=$N_WARN
	SF[last_success]=${SF[last_success]:-$st_last_success}
	[ "$ok" -eq 1 ] && SF[last_success]=$now
	is_uint "$SRC_SERIAL" && SF[source_serial]=$SRC_SERIAL
	if is_uint "$R53_SERIAL_AFTER"; then
		SF[route53_serial]=$R53_SERIAL_AFTER
	elif is_uint "$R53_SERIAL"; then
		SF[route53_serial]=$R53_SERIAL
	fi
	if [ "$CHANGED" -eq 1 ]; then
		SF[last_change]=$now SF[last_change_run]=${RUN##*/}
	fi
	[ "$ok" -eq 1 ] && [ "$CHECK" != probe ] && SF[skipped]=$N_SKIPPED
	if [ "$ok" -eq 0 ]; then
		# The failed stage's first message (not a warning), else ours.
		[ -n "$FAILED_ERRF" ] && err=$(grep -Ev -m 1 -- '^[^ :]+: (warning|skipped|held|rejected): ' \
			"$FAILED_ERRF" 2>/dev/null)
		err=${err:-${LAST_MSG:-$SUMMARY_RESULT}}
		err=${err//[$'\001'-$'\037']/ }
		SF[last_error]="${err:0:400}" SF[last_error_time]=$now
	fi
	SF[failed_runs_total]=$((${SF[failed_runs_total]:-0} + 1 - ok))
	SF[runs_total]=$((${SF[runs_total]:-0} + 1))
	SF[requests_total]=$((${SF[requests_total]:-0} + N_REQUESTS))
	SF[dns_queries_total]=$((${SF[dns_queries_total]:-0} + N_DNS))
	{
		printf 'format=1\n'
		for k in zone hosted_zone last_run last_result last_status last_check \
			last_seconds source_serial route53_serial last_success last_change \
			last_change_run skipped warnings last_error last_error_time runs_total \
			failed_runs_total requests_total dns_queries_total; do
			printf '%s=%s\n' "$k" "${SF[$k]:-}"
		done
	} >"$tmp" && mv -f -- "$tmp" "$ZDIR/status"
}

# prune_runs: keep the newest --keep run folders that changed Route 53
# and, apart from them, the newest --keep that did not: a day of in-sync
# full compares never prunes the last change.  Folder names sort by time.
prune_runs() {
	local -a changing=() other=()
	local d
	[ -n "$ZDIR" ] && [ -d "$ZDIR/runs" ] || return 0
	for d in "$ZDIR"/runs/*/; do
		[ -d "$d" ] || continue
		if run_changed "$d"; then changing+=("$d"); else other+=("$d"); fi
	done
	prune_oldest "${changing[@]}"
	prune_oldest "${other[@]}"
}

# prune_oldest DIR...: remove all but the last --keep of DIRs.
prune_oldest() {
	local i n=$(($# - opt_keep))
	for ((i = 1; i <= n; i++)); do
		rm -rf -- "${!i}"
	done
}

# A stage failed: map its status and stop.  Signals and unknown statuses
# become 2 (nothing acted on), or 7 for r53apply (it may have sent some).
stage_failed() {
	local name=$1 st=$2
	if [ "$TIMED_OUT" -eq 1 ]; then
		st=$EX_TIMEOUT
	elif [ "$st" -gt 7 ]; then
		if [ "$name" = r53apply ]; then st=$EX_PARTIAL; else st=$EX_BADINPUT; fi
	elif [ "$st" -eq 1 ] && [ "$name" != r53apply ]; then
		st=$EX_BADINPUT	# 1 means something only for rrdiff and r53apply
	fi
	SUMMARY_RESULT="failed-$name"
	finish "$st"
}

# Source failed: stale when it has failed longer than --stale-after.
source_failed() {
	local st=$1 since=${st_last_source_ok:-$st_created}
	if [ "$TIMED_OUT" -eq 0 ] && [ "$opt_stale_after" -gt 0 ] && [ -n "$since" ] &&
		[ $((EPOCHSECONDS - since)) -ge "$opt_stale_after" ]; then
		msg "$ZONE: source $SERVER has failed for $((EPOCHSECONDS - since)) s (--stale-after $opt_stale_after)"
		SUMMARY_RESULT=stale
		finish "$EX_STALE"
	fi
	stage_failed zxfr "$st"
}

# shellcheck disable=SC2317 # called from the traps
# SIGINT/SIGTERM: stop the running stage (timeout passes the signal on),
# report, exit 128+N.  The lock goes with the process.  The trap may run
# while a stage's stdout is redirected: back to the script's own first.
on_signal() {
	local sig=$1 n=$2
	trap - INT TERM
	exec 1>&"$OUT_FD" 2>&"$ERR_FD"
	msg "$ZONE: interrupted by SIG$sig"
	if [ -n "$STAGE_PID" ]; then
		kill -TERM "$STAGE_PID" 2>/dev/null
		wait "$STAGE_PID" 2>/dev/null
	fi
	# r53apply had started: some batches may have landed.  The drift
	# baseline was moved aside before it started (baseline_invalidate)
	# and stays so: nothing to do here, as after a SIGKILL.
	SUMMARY_RESULT=interrupted
	finish $((128 + n))
}

# lock_or_exit FD FILE [load]: wait --lock-wait s for the lock on FD;
# when another run keeps it, report result=locked and exit 10 ("load":
# read the state first, read only, for the summary's since-success).
lock_or_exit() {
	if ! flock -w "$opt_lock_wait" "$1"; then
		msg "$ZONE: another run holds $2 (waited $opt_lock_wait s)"
		[ "${3:-}" = load ] && load_state
		SUMMARY_RESULT=locked
		CHECK=none
		finish "$EX_LOCKED"
	fi
}

# lock_zone_id ID: runs of one hosted zone exclude each other however
# they name it (by id, or by name and visibility): a run keyed by name
# also takes the lock of the id's folder before any stage that may write
# to Route 53.  Lock order: name folder, then id folder.  Nothing to do
# for a run keyed by that id, nor for a dry run (it writes nothing).
IDLOCK_ID="" IDLOCKFD=""
lock_zone_id() {
	local id=$1 d
	[ "$opt_dry_run" -eq 0 ] && [ -n "$id" ] && [ "$id" != "$IDLOCK_ID" ] || return 0
	d="$SD/id-$id"
	[ "$d" = "$ZDIR" ] && return 0
	# A cached id that turned out wrong: its lock is of no use now.
	[ -n "$IDLOCKFD" ] && exec {IDLOCKFD}>&-
	if ! mkdir_p "$d" || ! chmod 700 -- "$d" ||
		! { exec {IDLOCKFD}>>"$d/lock"; } 2>/dev/null; then
		msg "$ZONE: cannot open $d/lock"
		finish "$EX_BADINPUT"
	fi
	vmsg "$ZONE: taking the lock of hosted zone $id ($d/lock)"
	lock_or_exit "$IDLOCKFD" "$d/lock"
	IDLOCK_ID=$id
}

# set_r53args [ID]: the Route 53 arguments: the id, or the name (its id
# once resolved).  With the id, the name too: r53dump then checks that
# the hosted zone is ZONE's, and its --serial probe needs no lookup.
set_r53args() {
	local id=${1:-}
	R53ARGS=()
	if [ -n "$opt_endpoint" ]; then
		R53ARGS+=(--endpoint-url "$opt_endpoint")
	fi
	if [ -n "$opt_profile" ]; then
		R53ARGS+=(--profile "$opt_profile")
	fi
	if [ -n "$id" ]; then
		R53ARGS+=(--zone-id "$id" --zone "$ZONE")
	elif [ "$opt_private" -eq 1 ]; then
		R53ARGS+=(--zone "$ZONE" --private)
		[ -n "$opt_vpc" ] && R53ARGS+=(--vpc-id "$opt_vpc")
	else
		R53ARGS+=(--zone "$ZONE" --public)
	fi
}

# dump_route53: the full r53dump into $RUN/route53.rrset, its requests
# counted; stops the run when it fails.
dump_route53() {
	local st
	rm -f -- "$RUN/r53dump.stats"
	stage r53dump "$RUN/r53dump.err" "$R53DUMP" "${R53ARGS[@]}" \
		--stats "$RUN/r53dump.stats" -o "$RUN/route53.rrset"
	st=$?
	add_stat N_REQUESTS "$RUN/r53dump.stats" requests 1
	if [ "$st" -ne 0 ] || [ ! -s "$RUN/route53.rrset" ]; then
		[ "$st" -eq 0 ] && st=$EX_BADINPUT
		st_zone_id=""
		save_state
		stage_failed r53dump "$st"
	fi
}

# read_report: what r53apply's report ($RUN/report.json) says was not
# applied ("not_applied": one object per change, with its line in the
# change stream and its state).  Writes $RUN/not-applied (STATE, OWNER,
# TYPE, LINE; owner and type from that line of the change stream) and
# $RUN/skipped (the same, less the not-sent ones of a stopped run); sets
# N_SKIPPED (RRsets skipped, held back or rejected), N_HELD, and
# REPORT_OK=1 when the report lists them.  jansson writes one member per
# line and escapes every newline inside strings, so lines are read alone.
REPORT_OK=0 N_SKIPPED=0 N_HELD=0
read_report() {
	local rep="$RUN/report.json"
	REPORT_OK=0 N_SKIPPED=0 N_HELD=0
	rm -f -- "$RUN/not-applied" "$RUN/skipped"
	[ -s "$rep" ] && grep -qE '^ *"not_applied": *\[' "$rep" || return 0
	awk -F'\t' '
		FILENAME == ARGV[1] {
			if (!inside && $0 ~ /^ *"not_applied": *\[ *\]/) exit_list = 1
			if (!inside && !exit_list && $0 ~ /^ *"not_applied": *\[ *$/) {
				inside = 1
				match($0, /^ */)
				ind = RLENGTH
				next
			}
			if (!inside) next
			if (match($0, /^ *\]/) && RLENGTH == ind + 1) { inside = 0; exit_list = 1; next }
			if ($0 ~ /^ *"line": *[0-9]+,? *$/) { gsub(/[^0-9]/, ""); ln = $0 }
			else if ($0 ~ /^ *"state": *"[a-z-]+",? *$/) {
				sub(/^ *"state": *"/, ""); sub(/".*$/, ""); stt = $0
			}
			if (ln != "" && stt != "") { want[ln] = stt; order[++n] = ln; ln = stt = "" }
			next
		}
		{ key[FNR] = $2 "\t" $3 }
		END {
			for (i = 1; i <= n; i++)
				if (order[i] in key)
					print want[order[i]] "\t" key[order[i]] "\t" order[i]
				else
					print want[order[i]] "\t?\t?\t" order[i]
		}' "$rep" "$RUN/changes" >"$RUN/not-applied" || return 0
	grep -v '^not-sent	' "$RUN/not-applied" >"$RUN/skipped"
	N_SKIPPED=$(wc -l <"$RUN/skipped")
	N_HELD=$(grep -c '^held	' "$RUN/skipped")
	REPORT_OK=1
}

# The drift baseline, $ZDIR/applied.rrset: the source snapshot Route 53
# holds.  It is valid on disk only while no r53apply is under way: moved
# aside (renamed to applied.rrset.inflight, the folder synced) before
# r53apply starts, put back only when r53apply surely sent nothing, and
# replaced by the new snapshot only after the run's state is saved.  A
# run killed anywhere in between (SIGKILL, a reboot) leaves no baseline:
# the next run says drift=unchecked, never a drift count.

# baseline_invalidate: move the baseline aside, durably; 1 on failure.
baseline_invalidate() {
	rm -f -- "$ZDIR/applied.rrset.inflight" "$ZDIR/applied.rrset.tmp" || return 1
	if [ -e "$ZDIR/applied.rrset" ]; then
		mv -f -- "$ZDIR/applied.rrset" "$ZDIR/applied.rrset.inflight" || return 1
	fi
	sync -- "$ZDIR"
}

# baseline_restore: r53apply sent nothing: the moved baseline is valid.
baseline_restore() {
	if [ -e "$ZDIR/applied.rrset.inflight" ]; then
		mv -f -- "$ZDIR/applied.rrset.inflight" "$ZDIR/applied.rrset" &&
			sync -- "$ZDIR"
	fi
}

# baseline_commit: this run's source snapshot becomes the baseline
# (written, synced, renamed): call it after save_state.
baseline_commit() {
	if cp -f -- "$RUN/source.rrset" "$ZDIR/applied.rrset.tmp" &&
		sync -- "$ZDIR/applied.rrset.tmp" &&
		mv -f -- "$ZDIR/applied.rrset.tmp" "$ZDIR/applied.rrset"; then
		sync -- "$ZDIR"
		rm -f -- "$ZDIR/applied.rrset.inflight"
	else
		msg "$ZONE: cannot write the drift baseline $ZDIR/applied.rrset"
		rm -f -- "$ZDIR/applied.rrset.tmp"
	fi
}

# The Route 53 snapshot, $ZDIR/route53.rrset: what the hosted zone held
# at the end of the last run, when that run's apply was complete: the
# stream it compared against (a listing, or the snapshot before it) with
# the changes Route 53 took, and the serial r53apply wrote in the SOA
# (rrdiff --patch, written atomically).  Like the drift baseline it is
# removed, durably, before any r53apply starts, and written only after
# the state of a run that applied everything (nothing skipped, held,
# rejected or refused, the source's serial written).  A run whose source
# changed while Route 53 still holds our serial diffs against it instead
# of listing the hosted zone: an incremental compare.  What it cannot
# see (an edit by hand that left the SOA alone) the next full compare
# finds: every --full-every, or at once when Route 53 rejects a change.

# stream_whole FILE: FILE is a complete stream of ZONE (this format's
# first line, origin ZONE, the trailer): what the snapshot and the IXFR
# base must both be.
stream_whole() {
	first_line "$1"
	[ "$REPLY" = '#!r53mirror-rrset 1' ] || return 1
	header_value "$1" origin
	[ "$REPLY" = "$ZONE" ] || return 1
	tail -n 1 -- "$1" | grep -q '^#end rrsets='
}

# snapshot_usable: the snapshot may stand for the hosted zone.
snapshot_usable() {
	local f="$ZDIR/route53.rrset" id=${hz_id:-$st_zone_id}
	[ "$opt_dry_run" -eq 0 ] && [ -n "$id" ] && [ -s "$f" ] || return 1
	stream_whole "$f" || return 1
	header_value "$f" zone-id
	[ "$REPLY" = "$id" ] || return 1
	header_value "$f" serial
	[ "$REPLY" = "$st_last_serial" ]
}

# snapshot_drop: no snapshot from here on, durably; 1 on failure.
snapshot_drop() {
	[ -e "$ZDIR/route53.rrset" ] || return 0
	rm -f -- "$ZDIR/route53.rrset" && sync -- "$ZDIR"
}

# snapshot_write: after the state of a successful run, the snapshot
# when this run's apply was complete (else none: the next run lists).
snapshot_write() {
	local after=${R53_SERIAL_AFTER:-$R53_SERIAL}
	[ "$opt_dry_run" -eq 0 ] && [ "$APPLY_ST" -eq 0 ] && [ "$N_SKIPPED" -eq 0 ] &&
		[ "$after" = "$SRC_SERIAL" ] || return 0
	if ! stage rrdiff-patch "$RUN/patch.err" "$RRDIFF" --patch "$RUN/changes" \
		-o "$ZDIR/route53.rrset" -- "$RUN/route53.rrset"; then
		msg "$ZONE: no Route 53 snapshot kept: the next run lists the hosted zone"
	fi
}

# incr_applied_keys ST: the keys (OWNER TAB TYPE) of the incremental
# changes r53apply applied (it exited ST): all of them but those its
# report lists as not applied; none when it refused (4: nothing sent).
incr_applied_keys() {
	local na="$RUN/not-applied"
	[ "$1" -eq "$EX_REFUSED" ] && return 0
	[ -r "$na" ] || na=/dev/null
	awk -F'\t' -v rep="$REPORT_OK" '
		FILENAME == ARGV[1] { if (rep == 1) na[$2 "\t" $3] = 1; next }
		/^[-+<>]\t/ && !(($2 "\t" $3) in na) { print $2 "\t" $3 }' \
		"$na" "$RUN/changes" | uniq
	[ -r "$ZDIR/unsettled.keys" ] && cat -- "$ZDIR/unsettled.keys"
	return 0
}

# incr_fallback WHY: the incremental compare cannot finish: a full one
# in the same run (listing, drift check, diff), the first attempt's
# files kept as incremental.*.
incr_fallback() {
	local f
	msg "$ZONE: $1: full compare"
	INCR=0
	CHECK="full:incremental-failed"
	snapshot_drop
	for f in route53.rrset changes rrdiff.stats rrdiff.err r53apply.stats \
		r53apply.err r53apply.out report.json not-applied skipped; do
		if [ -e "$RUN/$f" ]; then mv -f -- "$RUN/$f" "$RUN/incremental.$f"; fi
	done
	phase_dump
	phase_drift
	phase_diff
}

# dry_run_state REALDIR: a dry run keeps no state: it works in a
# temporary folder (removed on exit) with a copy of the zone's state,
# taken under the zone's lock when the zone has a state folder; the
# state folder itself is left byte for byte as it was.
DRY_TMP=""
dry_run_state() {
	local real=$1 f
	if ! DRY_TMP=$(mktemp -d "${TMPDIR:-/tmp}/r53mirror-dry.XXXXXXXX"); then
		msg "$ZONE: cannot create a temporary folder"
		exit "$EX_BADINPUT"
	fi
	trap 'rm -rf -- "$DRY_TMP"' EXIT
	ZDIR="$DRY_TMP/zone"
	if ! mkdir_p "$ZDIR/runs"; then
		msg "$ZONE: cannot create $ZDIR"
		exit "$EX_BADINPUT"
	fi
	if [ -f "$real/lock" ]; then
		# Read only: flock(1) needs no write access, the file no change.
		if ! { exec {LOCKFD}<"$real/lock"; } 2>/dev/null; then
			msg "$ZONE: cannot open $real/lock"
			exit "$EX_BADINPUT"
		fi
		lock_or_exit "$LOCKFD" "$real/lock"
	fi
	for f in state applied.rrset unsettled.keys; do
		if [ -f "$real/$f" ] && ! cp -- "$real/$f" "$ZDIR/$f"; then
			msg "$ZONE: cannot copy $real/$f"
			finish "$EX_BADINPUT"
		fi
	done
}

# A run of one zone is a short sequence of phases (run_one); each phase
# either returns, its facts in globals, or ends the run through finish
# (summary line, history, syslog) with its status.

# phase_args: the operands and the options that go with them: ZONE,
# SERVER, hz_id (or a name lookup), HZ_LABEL, the four commands.
phase_args() {
	local t
	[ "${#ARGS[@]}" -ge 2 ] || die_usage "need ZONE SERVER and a hosted zone"
	valid_zone "${ARGS[0]}" || die_usage "bad zone name '${ARGS[0]}'"
	norm_zone "${ARGS[0]}"
	ZONE=$REPLY
	split_server "${ARGS[1]}" || die_usage "bad server '${ARGS[1]}'"
	SERVER=$srv_addr
	if [ -n "$srv_port" ]; then
		[ -z "$opt_port" ] || [ "$opt_port" = "$srv_port" ] ||
			die_usage "port given twice ($srv_port and -p $opt_port)"
		opt_port=$srv_port
	fi
	hz_id=""
	if [ "$opt_private" -eq 1 ] && [ "$opt_public" -eq 1 ]; then
		die_usage "--private and --public exclude each other"
	fi
	if [ -n "$opt_vpc" ]; then
		[ "$opt_private" -eq 1 ] || die_usage "--vpc-id needs --private"
		valid_vpc "$opt_vpc" || die_usage "bad VPC id '$opt_vpc'"
	fi
	if [ "$opt_private" -eq 1 ] || [ "$opt_public" -eq 1 ]; then
		[ "${#ARGS[@]}" -eq 2 ] ||
			die_usage "with --private/--public the hosted zone is found by ZONE's name: no HOSTED-ZONE-ID"
		# By name: "private:VPC" or "public", then "/ID" once known.
		if [ "$opt_private" -eq 1 ]; then
			HZ_LABEL="private${opt_vpc:+:$opt_vpc}"
		else
			HZ_LABEL=public
		fi
	else
		[ "${#ARGS[@]}" -eq 3 ] ||
			die_usage "need ZONE SERVER HOSTED-ZONE-ID (or --private/--public)"
		valid_zone_id "${ARGS[2]}" || die_usage "bad hosted zone id '${ARGS[2]}'"
		hz_id=${ARGS[2]#/hostedzone/}
		HZ_LABEL=$hz_id
	fi
	if [ -n "$opt_key" ] && [ -n "$opt_secret_id" ]; then
		die_usage "$ZONE: -k (key file) and --tsig-secret-id: give one key, not two"
	fi
	if [ -n "$opt_key" ] && [ ! -r "$opt_key" ]; then
		msg "$ZONE: cannot read key file $opt_key"
		exit "$EX_USAGE"
	fi
	for t in zxfr rrdiff r53dump r53apply; do
		if ! find_tool "$t"; then
			msg "cannot find $t (set R53M_BIN or PATH)"
			exit "$EX_USAGE"
		fi
		printf -v "${t^^}" '%s' "$REPLY"
	done
}

# phase_lock: the state folder (mode 0700), the per-hosted-zone lock,
# the state; a dry run only reads them (dry_run_state).  Sets FRESH=1
# when the zone has no state yet.
FRESH=0
phase_lock() {
	SD=${opt_state_dir:-$(default_state_dir)}
	zone_key "$ZONE"
	ZDIR="$SD/$REPLY"
	FRESH=0
	if [ "$opt_dry_run" -eq 1 ]; then
		dry_run_state "$ZDIR"
	else
		if ! mkdir_p "$SD" || ! chmod 700 -- "$SD"; then
			msg "$ZONE: cannot create state folder $SD"
			exit "$EX_BADINPUT"
		fi
		[ -d "$ZDIR" ] || FRESH=1
		if ! mkdir_p "$ZDIR/runs" || ! chmod 700 -- "$ZDIR"; then
			msg "$ZONE: cannot create $ZDIR"
			exit "$EX_BADINPUT"
		fi
		if ! { exec {LOCKFD}>>"$ZDIR/lock"; } 2>/dev/null; then
			msg "$ZONE: cannot open $ZDIR/lock"
			exit "$EX_BADINPUT"
		fi
		lock_or_exit "$LOCKFD" "$ZDIR/lock" load
	fi
	load_state || FRESH=1
	[ -n "$st_created" ] || st_created=$EPOCHSECONDS
	if [ -n "$st_zone_id" ] && [ -z "$hz_id" ]; then
		vmsg "$ZONE: hosted zone id $st_zone_id (cached)"
		HZ_LABEL="$HZ_LABEL/$st_zone_id"
	fi
}

# phase_decide: each command's arguments, and why a full compare is due
# (REASON, cheapest reasons first), or "" when the probe may decide.
REASON="" OPTHASH="" NOW=0
phase_decide() {
	local p
	NOW=$EPOCHSECONDS
	set_r53args "${hz_id:-$st_zone_id}"
	SRCARGS=()
	[ -n "$opt_port" ] && SRCARGS+=(-p "$opt_port")
	[ -n "$opt_key" ] && SRCARGS+=(-k "$opt_key")
	[ -n "$opt_secret_id" ] && SRCARGS+=(--tsig-secret-id "$opt_secret_id")
	DIFFARGS=()
	[ "$opt_ignore_ttl" -eq 1 ] && DIFFARGS+=(--ignore-ttl)
	[ -n "$opt_types" ] && DIFFARGS+=(--types "$opt_types")
	for p in $opt_ignore; do DIFFARGS+=(--ignore "$p"); done
	compute_opthash
	REASON=""
	if [ "$FRESH" -eq 1 ]; then
		REASON=new-state
	elif [ "$opt_full" -eq 1 ]; then
		REASON=asked
	elif [ -z "$st_last_serial" ] || [ -z "$st_last_full" ]; then
		# (a first run that failed saved no option hash either)
		REASON=never-synced
	elif [ "$st_opthash" != "$OPTHASH" ]; then
		REASON=options-changed
	elif [ $((NOW - st_last_full)) -ge "$opt_full_every" ]; then
		REASON=full-every
	fi
}

# phase_probe: the source's serial (one DNS query), then, when nothing
# else asks for a full compare, Route 53's (one API request).  Equal to
# the serial we last wrote: nothing to do, the run ends here.  Anything
# else: Route 53's SOA was not written by us (or not last): REASON.
phase_probe() {
	local st probe_err="$ZDIR/probe.err" stats="$ZDIR/probe.stats"
	rm -f -- "$stats"
	# Every command gets "--" before its operands: a zone name may
	# start with "-".
	stage zxfr-serial "$probe_err" "$ZXFR" --serial "${SRCARGS[@]}" \
		--stats "$stats" -- "$ZONE" "$SERVER" >"$ZDIR/probe.out"
	st=$?
	add_stat N_DNS "$stats" requests 1
	note_primary "$stats"
	first_line "$ZDIR/probe.out"
	SRC_SERIAL=$REPLY
	if [ "$st" -ne 0 ] || ! is_uint "$SRC_SERIAL"; then
		[ "$st" -eq 0 ] && { msg "$ZONE: zxfr --serial printed no serial"; st=$EX_BADINPUT; }
		SRC_SERIAL=""
		save_state
		source_failed "$st"
	fi
	# The source counts as OK (for --stale-after) only after a transfer,
	# or when this probe ends the run (its serial is the one we hold).
	# A changed source: Route 53's serial still decides whether the
	# snapshot of the last run may stand for the hosted zone (INCR=1).
	if [ -z "$REASON" ] && [ "$SRC_SERIAL" != "$st_last_serial" ]; then
		REASON="source-serial-$st_last_serial-to-$SRC_SERIAL"
		snapshot_usable || return 0
		INCR=1
	fi
	[ -z "$REASON" ] || [ "$INCR" -eq 1 ] || return 0
	rm -f -- "$stats"
	stage r53dump-serial "$probe_err" "$R53DUMP" --serial "${R53ARGS[@]}" \
		--stats "$stats" >"$ZDIR/probe.out"
	st=$?
	first_line "$ZDIR/probe.out"
	R53_SERIAL=$REPLY
	add_stat N_REQUESTS "$stats" requests 1
	if [ "$st" -ne 0 ] || ! is_uint "$R53_SERIAL"; then
		[ "$st" -eq 0 ] && { msg "$ZONE: r53dump --serial printed no serial"; st=$EX_BADINPUT; }
		R53_SERIAL=""
		st_zone_id=""	# re-resolve a named zone next time
		save_state
		stage_failed r53dump "$st"
	fi
	if [ "$R53_SERIAL" = "$st_last_serial" ] && [ "$INCR" -eq 1 ]; then
		return 0
	fi
	INCR=0
	if [ "$R53_SERIAL" = "$st_last_serial" ]; then
		CHECK=probe
		SUMMARY_RESULT=unchanged
		st_last_success=$NOW
		st_last_source_ok=$NOW
		save_state
		finish "$EX_OK"
	fi
	REASON="route53-serial-$R53_SERIAL-not-ours"
}

# ixfr_base: the stream to ask IXFR from: the source stream of the last
# successful run (the drift baseline, or while an apply is under way or
# was killed, the same file moved aside), when it is a complete stream
# of this zone read with today's options (another server may hold
# other data under the same serial).  zxfr checks the rest: the serial
# chain, every record it deletes or adds.  Sets IXFR_BASE ("" for none).
ixfr_base() {
	local f
	IXFR_BASE=
	[ "$st_opthash" = "$OPTHASH" ] || return 0
	for f in "$ZDIR/applied.rrset" "$ZDIR/applied.rrset.inflight"; do
		if [ -s "$f" ] && stream_whole "$f"; then
			IXFR_BASE=$f
			return 0
		fi
	done
}

# phase_transfer: the full compare starts: this run's folder, and the
# source's zone (zxfr) into $RUN/source.rrset: an IXFR from the last
# applied stream when there is one (ixfr_base; zxfr falls back to AXFR
# by itself), its changes kept as $RUN/ixfr.changes.  Sets XFR.
XFR=- PRIMARY=""
phase_transfer() {
	local st base
	local -a xargs=()
	if [ "$INCR" -eq 1 ]; then
		CHECK=incremental
		vmsg "$ZONE: incremental compare ($REASON; Route 53 holds our serial $R53_SERIAL)"
	else
		CHECK="full:$REASON"
		vmsg "$ZONE: full compare ($REASON)"
	fi
	# A zone by name whose id is cached: its id's lock too, before
	# anything of the full compare (which may write to Route 53).
	[ -z "$hz_id" ] && lock_zone_id "$st_zone_id"
	utc_stamp %Y%m%dT%H%M%SZ
	RUN="$ZDIR/runs/$REPLY.$$"
	mkdir_p "$RUN" || { msg "$ZONE: cannot create $RUN"; finish "$EX_BADINPUT"; }
	ln -sfn "runs/${RUN##*/}" "$ZDIR/last"
	ixfr_base
	base=$IXFR_BASE
	[ -n "$base" ] && xargs=(--ixfr-from "$base" --ixfr-log "$RUN/ixfr.changes")
	stage zxfr "$RUN/zxfr.err" "$ZXFR" "${SRCARGS[@]}" "${xargs[@]}" \
		--stats "$RUN/zxfr.stats" -o "$RUN/source.rrset" -- "$ZONE" "$SERVER"
	st=$?
	if [ "$st" -eq "$EX_BADINPUT" ] && [ -n "$base" ] &&
		stat_is "$RUN/zxfr.stats" requests 0; then
		# zxfr refused the base before asking anything: a whole
		# transfer, so that a damaged state file never stops the mirror.
		msg "$ZONE: $base is no base for IXFR; transferring the whole zone"
		stage zxfr "$RUN/zxfr.err" "$ZXFR" "${SRCARGS[@]}" \
			--stats "$RUN/zxfr.stats" -o "$RUN/source.rrset" -- "$ZONE" "$SERVER"
		st=$?
	fi
	add_stat N_DNS "$RUN/zxfr.stats" requests 1
	note_primary "$RUN/zxfr.stats"
	XFR=axfr
	stat_is "$RUN/zxfr.stats" ixfr 1 && XFR=ixfr
	if [ "$st" -ne 0 ] || [ ! -s "$RUN/source.rrset" ]; then
		[ "$st" -eq 0 ] && st=$EX_BADINPUT
		save_state
		source_failed "$st"
	fi
	st_last_source_ok=$EPOCHSECONDS
	header_value "$RUN/source.rrset" serial
	SRC_SERIAL=$REPLY
}

# phase_dump: Route 53's zone (r53dump) into $RUN/route53.rrset; a zone
# by name resolved only now is read again under its id's lock.
phase_dump() {
	local zid
	if [ "$INCR" -eq 1 ]; then
		# No listing: the snapshot stands for the hosted zone.
		if ! cp -- "$ZDIR/route53.rrset" "$RUN/route53.rrset"; then
			msg "$ZONE: cannot copy the snapshot $ZDIR/route53.rrset"
			save_state
			finish "$EX_BADINPUT"
		fi
		return 0
	fi
	dump_route53
	header_value "$RUN/route53.rrset" zone-id
	zid=$REPLY
	if [ -z "$hz_id" ] && [[ $zid =~ ^Z[A-Z0-9]+$ ]]; then
		if [ "$zid" != "$IDLOCK_ID" ] && [ "$opt_dry_run" -eq 0 ]; then
			# Resolved only now: take the id's lock, then read Route
			# 53 again (a run by id may have written meanwhile).
			lock_zone_id "$zid"
			vmsg "$ZONE: hosted zone id $zid: reading it again under its lock"
			set_r53args "$zid"
			st_zone_id=$zid
			dump_route53
		fi
		st_zone_id=$zid
		HZ_LABEL="${HZ_LABEL%%/*}/$zid"
	fi
	header_value "$RUN/route53.rrset" serial
	R53_SERIAL=$REPLY
}

# run_init: the globals of one run, and its signal traps.
run_init() {
	ZONE=${ARGS[0]:-} HZ_LABEL=-
	T0=$EPOCHREALTIME
	DEADLINE=$((EPOCHSECONDS + opt_timeout))
	RUN="" ZDIR="" CHECK=none SRC_SERIAL="" R53_SERIAL="" R53_SERIAL_AFTER=""
	N_CHANGES=0 N_ADDS=0 N_DELETES=0 N_UPDATES=0 N_DRIFT=0 N_REQUESTS=0 N_DNS=0
	DRIFT_CHECKED=0 SD="" FAILED_ERRF="" RUN_SECS=""
	XFR=- INCR=0 PRIMARY=""
	DRIFT_BASE="" DRIFT_SKIP=""
	SUMMARY_RESULT=error
	exec {OUT_FD}>&1 {ERR_FD}>&2
	# The stages' stderr goes to files: progress.h draws on this
	# script's own stderr instead.  Zones run side by side (--all -j N,
	# --watch) would draw over each other: there only when asked.
	if [ "$opt_progress" -eq 1 ] || { [ -t 2 ] && [ -z "${_R53M_FLEET:-}" ]; }; then
		export R53M_PROGRESS_FD=$ERR_FD
	else
		unset R53M_PROGRESS_FD
	fi
	trap 'on_signal INT 2' INT
	trap 'on_signal TERM 15' TERM
}

# run_one: one zone, phase by phase.  The last phases end the run
# (record, or the dry run's report), as may any phase before them.
run_one() {
	run_init
	phase_args
	phase_lock
	phase_decide
	phase_probe
	phase_transfer
	phase_dump
	phase_drift
	phase_diff
	phase_apply
	if [ "$opt_dry_run" -eq 1 ]; then
		SUMMARY_RESULT=dry-run
		[ "$N_DRIFT" -gt 0 ] && finish "$EX_DRIFT"
		finish "$APPLY_ST"
	fi
	phase_record "$OPTHASH"
}

# phase_drift: Route 53 against what we last left there (the source
# snapshot we applied, compared as that run compared it), leaving out
# RRsets the last apply did not apply.  It does not depend on today's
# options or tool versions, only on the stream format: skipped (and
# reported as unchecked) without a valid baseline (see
# baseline_invalidate) or when the format's version line differs.  Sets
# N_DRIFT, and DRIFT_CHECKED=1 once the check ran.
phase_drift() {
	local st p base=${DRIFT_BASE:-$ZDIR/applied.rrset} skip=${DRIFT_SKIP:-$ZDIR/unsettled.keys}
	local -a dargs=()
	local format
	# An incremental compare reads no listing: nothing to check.
	[ "$INCR" -eq 0 ] || return 0
	first_line "$base"
	format=$REPLY
	first_line "$RUN/route53.rrset"
	if [ ! -s "$base" ] || [ "$format" != "$REPLY" ]; then
		vmsg "$ZONE: no drift baseline of this stream format: drift unchecked"
		return 0
	fi
	# -q: its warnings are the main rrdiff's (same source, same dump).
	dargs=(-q)
	[ "$st_applied_ignore_ttl" = 1 ] && dargs+=(--ignore-ttl)
	[ -n "$st_applied_types" ] && dargs+=(--types "$st_applied_types")
	# Names left alone are no drift, whatever Route 53 holds there.
	for p in $opt_ignore; do dargs+=(--ignore "$p"); done
	stage rrdiff-drift "$RUN/drift.err" "$RRDIFF" "${dargs[@]}" \
		-o "$RUN/drift.changes" -- "$base" "$RUN/route53.rrset"
	st=$?
	if [ "$st" -ne 0 ] && [ "$st" -ne 1 ]; then
		msg "$ZONE: drift check failed (status $st); going on"
		return 0
	fi
	DRIFT_CHECKED=1
	[ "$st" -eq 1 ] || return 0
	[ -e "$skip" ] || : >"$skip"
	N_DRIFT=$(awk -F'\t' '
		FILENAME == ARGV[1] { skip[$1 "\t" $2] = 1; next }
		/^[-+<]\t/ && !(($2 "\t" $3) in skip) { n++ }
		END { print n + 0 }' "$skip" "$RUN/drift.changes" 2>/dev/null)
	N_DRIFT=${N_DRIFT:-0}
	if [ "$N_DRIFT" -gt 0 ] && [ "$opt_dry_run" -eq 1 ]; then
		msg "$ZONE: drift: $N_DRIFT RRset(s) in Route 53 were changed outside the mirror:"
		grep -E '^[-+<>]	' "$RUN/drift.changes" >&2
	elif [ "$N_DRIFT" -gt 0 ]; then
		msg "$ZONE: drift: $N_DRIFT RRset(s) in Route 53 were changed outside the mirror (see $RUN/drift.changes)"
	fi
}

# phase_diff: the change stream source -> Route 53 into $RUN/changes;
# sets N_CHANGES, N_ADDS, N_DELETES, N_UPDATES.
phase_diff() {
	local st
	stage rrdiff "$RUN/rrdiff.err" "$RRDIFF" "${DIFFARGS[@]}" --stats "$RUN/rrdiff.stats" \
		-o "$RUN/changes" -- "$RUN/source.rrset" "$RUN/route53.rrset"
	st=$?
	if [ "$st" -ne 0 ] && [ "$st" -ne 1 ] && [ "$INCR" -eq 1 ] && [ "$TIMED_OUT" -eq 0 ]; then
		incr_fallback "the snapshot $ZDIR/route53.rrset cannot be read"
		return 0
	fi
	if [ "$st" -ne 0 ] && [ "$st" -ne 1 ]; then
		save_state
		stage_failed rrdiff "$st"
	fi
	[ -s "$RUN/changes" ] || { msg "$ZONE: rrdiff wrote no change stream"; stage_failed rrdiff "$EX_BADINPUT"; }
	stat_get N_CHANGES "$RUN/rrdiff.stats" changes
	stat_get N_ADDS "$RUN/rrdiff.stats" adds
	stat_get N_DELETES "$RUN/rrdiff.stats" deletes
	stat_get N_UPDATES "$RUN/rrdiff.stats" updates
	if ! is_uint "${N_CHANGES:-x}"; then
		msg "$ZONE: rrdiff wrote no counts ($RUN/rrdiff.stats)"
		save_state
		stage_failed rrdiff "$EX_BADINPUT"
	fi
}

# phase_apply: r53apply when something differs, or only the serial (it
# then writes the SOA serial, so the next probe sees our serial).  The
# drift baseline is invalid on disk from before r53apply starts (also
# when nothing is sent: phase_record writes the state and then a new
# baseline).  Sets APPLY_ST (0 or 1); stops the run when r53apply fails.
APPLY_ST=0
phase_apply() {
	local st
	local -a aargs=()
	if [ "$opt_dry_run" -eq 0 ] && ! { baseline_invalidate && snapshot_drop; }; then
		msg "$ZONE: cannot move the drift baseline $ZDIR/applied.rrset aside"
		save_state
		finish "$EX_BADINPUT"
	fi
	[ "$N_CHANGES" -gt 0 ] || [ "$R53_SERIAL" != "$SRC_SERIAL" ] || return 0
	[ -n "$opt_endpoint" ] && aargs+=(--endpoint-url "$opt_endpoint")
	[ -n "$opt_profile" ] && aargs+=(--profile "$opt_profile")
	# A named zone resolved by the dump: no second name lookup.
	aargs+=(--zone-id "${hz_id:-${st_zone_id:-}}")
	[ -z "$hz_id" ] && [ -z "$st_zone_id" ] && aargs=("${R53ARGS[@]}")
	# Incremental: the probe has just found our serial in Route 53, so
	# the snapshot stands for the zone's SOA too (no second read).
	[ "$INCR" -eq 1 ] && aargs+=(--current "$RUN/route53.rrset")
	[ "$opt_dry_run" -eq 1 ] && aargs+=(--dry-run)
	# -v: the plan's API batches too.
	[ "$opt_dry_run" -eq 1 ] && [ "$opt_verbose" -gt 0 ] && aargs+=(-v)
	[ "$opt_force" -eq 1 ] && aargs+=(--force)
	[ "$opt_adopt" -eq 1 ] && aargs+=(--adopt)
	[ "$opt_wait" -eq 1 ] && aargs+=(--wait)
	[ -n "$opt_max_delete_pct" ] && aargs+=(--max-delete-pct "$opt_max_delete_pct")
	[ -n "$opt_max_update_pct" ] && aargs+=(--max-update-pct "$opt_max_update_pct")
	[ -n "$opt_min_existing" ] && aargs+=(--min-existing "$opt_min_existing")
	aargs+=(--report "$RUN/report.json" --stats "$RUN/r53apply.stats" -- "$RUN/changes")
	if [ "$opt_dry_run" -eq 1 ]; then
		stage r53apply "$RUN/r53apply.err" "$R53APPLY" "${aargs[@]}" >"$RUN/plan"
		st=$?
		cat -- "$RUN/plan"
	else
		# From here on Route 53 may hold part of this run.
		stage r53apply "$RUN/r53apply.err" "$R53APPLY" "${aargs[@]}" >"$RUN/r53apply.out"
		st=$?
	fi
	read_report
	# Every HTTP request, retries included.
	add_stat N_REQUESTS "$RUN/r53apply.stats" requests 0
	# Route 53 rejected or refused a change computed against the
	# snapshot (a hand edit: a DELETE whose values no longer match, a
	# CREATE that exists): the full compare, now.
	if [ "$INCR" -eq 1 ] && [ "$TIMED_OUT" -eq 0 ] &&
		{ [ "$st" -eq 1 ] || [ "$st" -eq "$EX_REFUSED" ]; }; then
		incr_applied_keys "$st" >"$RUN/incremental.applied.keys"
		DRIFT_BASE="$ZDIR/applied.rrset.inflight"
		DRIFT_SKIP="$RUN/incremental.applied.keys"
		incr_fallback "Route 53 did not take every incremental change (r53apply status $st)"
		phase_apply
		return 0
	fi
	if [ "$st" -ne 0 ] && [ "$st" -ne 1 ]; then
		# r53apply surely sent nothing (bad input, usage, refused,
		# credentials): the baseline still describes Route 53.
		case $st in
		2 | 3 | 4 | 6) [ "$TIMED_OUT" -eq 1 ] || [ "$opt_dry_run" -eq 1 ] || baseline_restore ;;
		esac
		save_state
		# Refused because Route 53's serial is ahead of the source's
		# (RFC 1982, r53apply's soa.c; --force overrides): say so.
		if [ "$st" -eq "$EX_REFUSED" ] && [ "$TIMED_OUT" -eq 0 ] &&
			stat_is "$RUN/r53apply.stats" serial_ahead 1; then
			SUMMARY_RESULT=refused-serial-ahead
			finish "$EX_REFUSED"
		fi
		stage_failed r53apply "$st"
	fi
	APPLY_ST=$st
	# The serial Route 53 really holds now: the one r53apply wrote,
	# else the one it found (it holds the SOA back when it holds back
	# deletes, e.g. on a first apply without --adopt).
	if [ "$opt_dry_run" -eq 0 ]; then
		stat_get R53_SERIAL_AFTER "$RUN/r53apply.stats" serial_written
		[ -n "$R53_SERIAL_AFTER" ] ||
			stat_get R53_SERIAL_AFTER "$RUN/r53apply.stats" serial_before
		[ -n "$R53_SERIAL_AFTER" ] || R53_SERIAL_AFTER="?"
	fi
}

# phase_record OPTHASH: the run succeeded: remember what Route 53 now
# holds, and how it was compared: first the keys left out of the next
# drift check and the state, then (last) the new drift baseline.
phase_record() {
	local now
	now=$EPOCHSECONDS
	st_applied_ignore_ttl=$opt_ignore_ttl
	st_applied_types=$opt_types
	if [ "$APPLY_ST" -eq 1 ] && [ "$REPORT_OK" -eq 1 ]; then
		# Leave out of the next drift check only what was not applied.
		cut -f 2,3 -- "$RUN/not-applied" >"$ZDIR/unsettled.keys.tmp"
	elif [ "$APPLY_ST" -eq 1 ]; then
		# No report to tell: every RRset this run changed.
		awk -F'\t' '/^[-+<>]\t/ { print $2 "\t" $3 }' "$RUN/changes" >"$ZDIR/unsettled.keys.tmp"
	else
		: >"$ZDIR/unsettled.keys.tmp"
	fi
	mv -f -- "$ZDIR/unsettled.keys.tmp" "$ZDIR/unsettled.keys"
	st_last_serial=$SRC_SERIAL
	[ "$INCR" -eq 1 ] || st_last_full=$now
	st_last_success=$now
	st_opthash=$1
	save_state
	baseline_commit
	snapshot_write
	apply_result
	if [ "$N_DRIFT" -gt 0 ]; then
		[ "$SUMMARY_RESULT" = changed ] && SUMMARY_RESULT=drift-repaired
		finish "$EX_DRIFT"
	fi
	finish "$APPLY_ST"
}

# apply_result: SUMMARY_RESULT=what this run did to Route 53: in-sync
# (nothing to change, or all of it found already applied), changed,
# held (nothing applied, some changes held back) or skipped (nothing
# applied: skipped or rejected).
apply_result() {
	local done_n=1 created
	# No counts (no r53apply, or one that wrote none): taken as done.
	stat_get created "$RUN/r53apply.stats" created
	if [ -n "$created" ] && ! run_changed "$RUN"; then
		done_n=0
	fi
	if [ "$N_CHANGES" -eq 0 ]; then
		SUMMARY_RESULT=in-sync
	elif [ "$done_n" -gt 0 ]; then
		SUMMARY_RESULT=changed
	elif [ "$N_HELD" -gt 0 ]; then
		SUMMARY_RESULT=held
	elif [ "$N_SKIPPED" -gt 0 ]; then
		SUMMARY_RESULT=skipped
	else
		SUMMARY_RESULT=in-sync
	fi
}

# ------------------------------------------------------------------ main

if ! parse_opts cli "$@"; then
	die_usage "$ERR"
fi
# --syslog with no syslog to reach (no /dev/log, as in most containers):
# say so once (--all's zone runs inherit the finding), summaries to stdout.
if [ "$opt_syslog" -eq 1 ]; then
	if [ -z "${_R53M_SYSLOG:-}" ]; then
		_R53M_SYSLOG=up
		if ! _syslog_err=$(logger --socket-errors=on --no-act -t r53mirror -- probe 2>&1); then
			msg "--syslog: cannot reach syslog (${_syslog_err:-logger failed}); summary lines go to stdout"
			_R53M_SYSLOG=down
		fi
		export _R53M_SYSLOG
	fi
	[ "$_R53M_SYSLOG" = down ] && opt_syslog=0
fi
if [ -n "$opt_metrics_file" ] && [ "$mode" != all ] && [ "$mode" != status ]; then
	die_usage "--metrics-file needs --all or --status"
fi
if [ -n "$opt_listen" ] && [ "$mode" != watch ]; then
	die_usage "--listen goes with --watch"
fi
case $mode in
all) run_all ;;
watch) run_watch ;;
list) run_list ;;
iam-policy) run_iam ;;
check-config) run_check_config ;;
status) run_status ;;
esac
[ "${#ARGS[@]}" -gt 0 ] || { usage >&2; exit "$EX_USAGE"; }
run_one
