#!/bin/bash
# iam-policy.sh: print the least-privilege IAM policy (JSON) that lets
# scripts/mirror.sh mirror every zone of a config file, and nothing else.
#   scripts/iam-policy.sh [--state-dir DIR] CONFIG > r53mirror-policy.json
# Same as `mirror.sh [--state-dir DIR] --iam-policy CONFIG`: ListResourceRecordSets,
# ChangeResourceRecordSets, GetHostedZone, GetHostedZoneLimit and the tag calls
# (ListTagsForResource, ChangeTagsForResource: r53apply's ownership mark) on
# each listed hosted zone; GetChange on change/*; ListHostedZonesByName on * only when a
# zone is given by name (its id comes from its state folder once a run has
# resolved it; --state-dir names that folder).  One policy document per
# AWS profile the zones run as (its Id names the profile), with the ARN
# prefix of the partition of that profile's region.
set -u
args=()
while [ $# -gt 1 ]; do
	args+=("$1")
	shift
done
if [ $# -ne 1 ] || [ "${1#-}" != "$1" ]; then
	echo "usage: iam-policy.sh [--state-dir DIR] CONFIG" >&2
	exit 3
fi
exec bash "$(dirname "${BASH_SOURCE[0]}")/mirror.sh" "${args[@]}" --iam-policy "$1"
